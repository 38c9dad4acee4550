"""Stored files go with their rows: deleting an attachment (or the ticket it belongs to, or a
stored inbound message) removes its file once the deletion has committed."""

import logging
from functools import partial

from django.db import router, transaction
from django.db.models import FileField, Model
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def delete_files_with_rows(*models: type[Model]) -> None:
    """Remove the files of MODELS' FileFields when a row of theirs is deleted (cascades too)."""
    for model in models:
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, FileField)]
        post_delete.connect(
            partial(_row_deleted, names=names),
            sender=model,
            weak=False,
            dispatch_uid=f"delete-files-{model._meta.label}",
        )


def _row_deleted(sender, instance: Model, names: list[str], **kwargs) -> None:
    files = [getattr(instance, name) for name in names]
    # After commit: a rolled-back deletion keeps its row, so it must keep its file too.
    transaction.on_commit(
        partial(_remove, [(f.storage, f.name) for f in files if f]),
        using=router.db_for_write(sender),
        robust=True,
    )


def _remove(stored: list) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not delete the stored file %s", name)
