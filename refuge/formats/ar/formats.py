# Django's Arabic formats give dates day first but leave date-times to the global default,
# which is month first (04/17/2026): the audit trail read one way, every other page the other.
DATETIME_FORMAT = "j F، Y H:i"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
