class AllocationError(Exception):
    """A rule of letting or of the allocation committee was not met; the message is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
