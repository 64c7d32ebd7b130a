"""What Studio needs of the block: the editor's validation."""

from .. import platform
from .validation import validate_settings


class StudioMixin:
    """Studio's editor: every problem becomes a validation message, never an error page."""

    def validate_field_data(self, validation, data):
        bucket = platform.settings_bucket(self)
        for message in validate_settings(data, bucket, platform.gettext(self)):
            validation.add(message)
