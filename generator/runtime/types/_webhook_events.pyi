# For type checkers of the checkout only (never copied): the union of the webhook events is
# generated from the spec's webhooks; here, only what the runtime relies on.
from typing import Union

from .._models import TelnyxModel

class UnknownWebhookEvent(TelnyxModel): ...

WebhookEvent = Union[UnknownWebhookEvent, TelnyxModel]
