# For type checkers of the checkout only (never copied): the names of the module that
# generator/templates/package/_settings.py.jinja renders from the SDK's config.
PACKAGE: str
DISTRIBUTION: str
API_KEY_ENV: str
BASE_URL_ENV: str
LOG_ENV: str
DEFAULT_BASE_URL: str
USER_AGENT: str
PATTERN_HINTS: dict[str, str]
# only in an SDK whose config has `webhooks:` (and so `_webhooks.py`)
WEBHOOK_SIGNATURE_HEADER: str
WEBHOOK_TIMESTAMP_HEADER: str
WEBHOOK_SIGNED_MESSAGE: str
WEBHOOK_TOLERANCE: int
WEBHOOK_PUBLIC_KEY_ENV: str
