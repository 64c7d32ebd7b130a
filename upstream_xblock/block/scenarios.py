"""Workbench scenarios: what the demo shows."""


def workbench_scenarios():
    return [
        ("Upstream contribution: one accepted contribution required",
         """<upstream_contribution display_name="Your first upstream contribution"/>"""),
        ("Upstream contribution: two accepted contributions required",
         """<upstream_contribution display_name="Two accepted contributions" required_count="2"
                weight="2"/>"""),
        ("Upstream contribution: two blocks in one unit",
         """<vertical_demo>
              <upstream_contribution display_name="A GitHub pull request"
                  accepted_hosts='["github.com"]'/>
              <upstream_contribution display_name="A GitLab merge request or Gerrit change"
                  accepted_hosts='["gitlab.com", "review.opendev.org"]'/>
            </vertical_demo>"""),
        ("Upstream contribution: with a mentor (?student=mia) and course staff (?student=staff)",
         """<upstream_contribution display_name="Mentored upstream contribution"
                mentors='["mia"]'/>"""),
    ]
