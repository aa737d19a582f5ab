"""telnyx-codegen: a typed Python client generated from a curated OpenAPI spec of Telnyx's API."""

__version__ = "0.1.0"
