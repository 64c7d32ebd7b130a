# Mentors vouch for contributions no forge API can see (issue 10, item 4).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('upstream_xblock', '0008_mysql_key_sizes'),
    ]

    operations = [
        migrations.AddField(
            model_name='trackedcontribution',
            name='vouched_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='trackedcontribution',
            name='vouched_by',
            field=models.CharField(blank=True, default='', help_text="the mentor's user id", max_length=255),
        ),
        migrations.AddField(
            model_name='trackedcontribution',
            name='vouch_reason',
            field=models.CharField(blank=True, default='', max_length=500),
        ),
        migrations.AddField(
            model_name='trackedcontribution',
            name='description',
            field=models.CharField(blank=True, default='', help_text='what the mentor accepted, where no URL shows it', max_length=2000),
        ),
        migrations.AddField(
            model_name='trackedcontribution',
            name='vouch_withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='trackedcontribution',
            name='vouch_withdrawn_by',
            field=models.CharField(blank=True, default='', help_text="the staff member's user id", max_length=255),
        ),
    ]
