"""Upload helpers shared by the ticket tests."""

from django.core.files.uploadedfile import SimpleUploadedFile


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def upload(name: str = "screenshot.png", content: bytes = b"\x89PNG fake", ctype="image/png"):
    return SimpleUploadedFile(name, content, content_type=ctype)
