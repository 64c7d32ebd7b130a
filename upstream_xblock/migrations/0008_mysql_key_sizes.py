"""Unique keys MySQL can hold: InnoDB (utf8mb4) refuses an index over 3,072 bytes.

A record's unique key becomes (block, learner, SHA-256 of the address) instead
of the address itself (255 + 255 + 500 characters = 4,040 bytes); the address
may be as long as the parser accepts (2,048). A credit's key shrinks to 500
characters (755 with the course: 3,020 bytes).
"""

import hashlib

from django.db import migrations, models


def fill_url_hashes(apps, schema_editor):  # pylint: disable=unused-argument
    contributions = apps.get_model("upstream_xblock", "TrackedContribution")
    batch = []
    for row in contributions.objects.only("pk", "url").iterator(chunk_size=2000):
        row.url_hash = hashlib.sha256(row.url.encode("utf-8")).hexdigest()
        batch.append(row)
        if len(batch) >= 2000:
            contributions.objects.bulk_update(batch, ["url_hash"])
            batch = []
    if batch:
        contributions.objects.bulk_update(batch, ["url_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("upstream_xblock", "0007_staff"),
    ]

    operations = [
        migrations.AddField(
            model_name="trackedcontribution",
            name="url_hash",
            field=models.CharField(default="", editable=False, max_length=64,
                                   help_text="SHA-256 of url: the unique key (an index on the "
                                             "address itself would exceed MySQL's key size)"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_url_hashes, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="trackedcontribution",
            name="upstream_unique_contribution",
        ),
        migrations.AddConstraint(
            model_name="trackedcontribution",
            constraint=models.UniqueConstraint(fields=("usage_key", "learner_id", "url_hash"),
                                               name="upstream_unique_contribution_key"),
        ),
        migrations.AlterField(
            model_name="trackedcontribution",
            name="url",
            field=models.CharField(help_text="canonical web URL", max_length=2048),
        ),
        migrations.AlterField(
            model_name="contributioncredit",
            name="contribution_key",
            field=models.CharField(help_text="kind:host:forge id of the contribution",
                                   max_length=500),
        ),
    ]
