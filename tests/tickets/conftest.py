import pytest


@pytest.fixture
def media(tmp_path, settings):
    """Uploads go to a fresh directory, so a test can see exactly which files were written."""
    root = tmp_path / "uploads"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root
