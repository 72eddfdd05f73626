class OutreachError(Exception):
    """A rule of the call campaigns was not met; the message is for the user (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
