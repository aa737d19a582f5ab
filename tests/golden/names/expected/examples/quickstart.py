"""A hand-written example listed under `hand_written` in the fixture's sdk.yaml."""

import fx_names

print(fx_names.Client)
