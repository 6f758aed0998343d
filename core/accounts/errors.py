"""What account services raise; messages are shown to the user as they are."""


class AccountError(ValueError):
    """Invalid account input; the message is shown to the user as is."""


class SignInError(Exception):
    """Sign-in refused. The message never says whether the username exists."""
