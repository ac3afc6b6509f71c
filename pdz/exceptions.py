class OperazioneNonValida(Exception):
    """A state change that is not allowed in the current state; the message says why, in
    words for the user. Raised by every app's services.py, shown by the views."""
