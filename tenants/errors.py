class TenantError(Exception):
    """A rule of the tenant space or of technical requests was not met; the message is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
