"""Studio: the course-published signal and the published blocks of a course."""


def connect_course_published(receiver):
    """Call ``receiver(course_key)`` when Studio publishes a course (Studio only)."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from xmodule.modulestore.django import SignalHandler
    except ImportError:
        return False

    def on_course_published(sender, course_key, **kwargs):  # pylint: disable=unused-argument
        receiver(course_key)

    SignalHandler.course_published.connect(on_course_published, weak=False,
                                           dispatch_uid="upstream_xblock.course_published")
    return True

def published_blocks(course_key, block_type):
    """The published version of every block of ``block_type`` in a course."""
    # pylint: disable=import-outside-toplevel
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    store = modulestore()
    with store.branch_setting(ModuleStoreEnum.Branch.published_only, course_key):
        return list(store.get_items(course_key, qualifiers={"category": block_type}))
