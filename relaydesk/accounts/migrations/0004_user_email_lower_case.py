"""Emails are stored lower-case, and the database now holds every writer to it (look-ups are
exact matches on the unique index). Any older mixed-case row is lower-cased first."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_password_reset_request"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE accounts_user SET email = LOWER(email) WHERE email <> LOWER(email)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", django.db.models.functions.text.Lower("email"))),
                name="user_email_lower_case",
                violation_error_message="Email addresses are stored in lower case.",
            ),
        ),
    ]
