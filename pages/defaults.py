"""The program page and term sheet as first published. Program admins edit them afterwards.

Every fact of the program's public page is here, in PartnerHub's own words; the migration
and `content_ensure_defaults` load them into the database, which is what the site renders.
"""

PROGRAM_BLOCKS = [
    {
        "key": "intro",
        "title": "Become the K-12 computer science hub for your region",
        "order": 10,
        "body": (
            "We are selecting organizations based in the United States to bring computer "
            "science to every K-12 classroom in their region, locally and sustainably. "
            "**Applications for partners in new regions are open now.** Check the map to see "
            "whether your region needs a partner; if it does, read the partnership terms and "
            "apply."
        ),
    },
    {
        "key": "about",
        "title": "About the program",
        "order": 20,
        "body": (
            "Each Regional Partner becomes the computer science hub for its region: it offers "
            "professional learning to K-12 teachers and builds a strong local community of "
            "computer science educators. Over time, every partner is expected to carry this "
            "work on independently of the program office.\n\n"
            "The partnership begins at the **Regional Partner Summit**, where each partner's "
            "program manager is welcomed into the program's national network. To help each "
            "organization establish itself as the local Regional Partner, the program office "
            "provides **funding based on demonstrated need**.\n\n"
            "The ideal Regional Partner is a **U.S.-based regional education unit, nonprofit or "
            "university** that already has good working relationships with nearby school "
            "districts and the local education community."
        ),
    },
    {
        "key": "video",
        "title": "See the program in two minutes",
        "order": 30,
        "link_url": "https://www.youtube.com/watch?v=cf1KKBGK6mY",
        "body": (
            "Program managers and teachers from current partners describe what the "
            "partnership looks like in practice. The video opens on the video host's site."
        ),
    },
    {
        "key": "commitments",
        "title": "What we expect of you",
        "order": 40,
        "body": (
            "- **A dedicated program manager.** At least 0.5 of a full-time position, which "
            "may be shared among several staff members of your organization, taking full "
            "part in program-manager onboarding and the ongoing management of the program.\n"
            "- **The summits and the teacher conference.** Attend the Regional Partner "
            "Summits in September and February, and the 5-day teacher conference with "
            "teachers from your region.\n"
            "- **District partnerships.** Partner with local districts and schools that "
            "commit to sending teachers to computer science professional learning.\n"
            "- **Quality local workshops.** Organize and host workshops for districts and "
            "schools implementing the program's middle school and high school courses, led by "
            "facilitators accredited by the program office.\n"
            "- **A community of educators.** Build, grow and sustain a local community of "
            "computer science educators, or join one that already exists.\n"
            "- **Independent funding.** Develop your own funding sources so the work lasts, "
            "with the program office's support.\n"
            "- **Measured results.** Set and meet detailed targets for growth in participating "
            "teachers and students in your region, implementation of courses, diversity, and "
            "workshop quality."
        ),
    },
    {
        "key": "provides",
        "title": "What the program office provides",
        "order": 50,
        "body": (
            "- **Need-based funding** in the first year or years for an onsite staffer during "
            "workshops, facilitator compensation, food, and venues.\n"
            "- **Recognition** of your organization as the official Regional Partner for your "
            "state or region, on this site and in the program's marketing.\n"
            "- **A dedicated regional manager** from the program office for support and "
            "guidance.\n"
            "- **Coaching and tools** for teacher recruitment, building facilitator capacity, "
            "fundraising, regional expansion of computer science, and community building."
        ),
    },
    {
        "key": "summits",
        "title": "The program year",
        "order": 60,
        "body": (
            "| When | What | Who attends |\n"
            "|---|---|---|\n"
            "| September | Regional Partner Summit (fall) | Program managers |\n"
            "| February | Regional Partner Summit (spring) | Program managers |\n"
            "| Summer | 5-day teacher conference | Program managers with teachers "
            "from their region |\n"
            "| All year | Local workshops and community meetups | Teachers, facilitators, "
            "districts |\n"
        ),
    },
    {
        "key": "share",
        "title": "Know an organization that should apply?",
        "order": 70,
        "body": (
            "Share the one-page summary of the Regional Partner Program with them. It always "
            "carries the current figures and terms."
        ),
    },
]

TERMS_VERSION = "2026.1"
TERMS_SUMMARY = "Program commitments, funding and metrics for partners starting in 2026."
TERMS_BODY = """
## 1. The partnership

A Regional Partner is a U.S.-based regional education unit, nonprofit or university selected
by the program office to be the K-12 computer science hub for a defined region. A partnership
is agreed for one program year at a time (July 1 to June 30) and renewed each year when the
commitments below are met.

## 2. The partner's commitments

1. **Program manager.** The partner names one or more program managers whose combined time is
   at least 0.5 of a full-time position. Program managers complete onboarding and remain the
   program office's main contact.
2. **Summits and conference.** A program manager attends both Regional Partner Summits
   (September and February). The partner brings teachers from its region to the 5-day teacher
   conference.
3. **Districts and schools.** The partner signs partnerships with local districts and schools
   that commit to send teachers to professional-learning workshops, stating how many teachers
   per course and per program year.
4. **Workshops.** The partner organizes and hosts local workshops for the program's middle and
   high school courses, led only by facilitators accredited by the program office for that
   course and year, and collects attendance and the post-workshop survey.
5. **Community.** The partner builds and sustains a local community of computer science
   educators, or joins an existing one.
6. **Sustainability.** The partner develops independent funding sources and reports them each
   year.
7. **Metrics.** The partner agrees targets each program year, and is measured on: growth in
   participating teachers and students, course implementation, diversity of students reached,
   and workshop quality.

## 3. What the program office provides

1. **Funding based on demonstrated need**, agreed per program year as an award with budget
   lines for an onsite staffer during workshops, facilitator compensation, food and venues.
   Spending is reported against the award.
2. **Recognition** as the official Regional Partner for the region.
3. **A regional manager** assigned to the partner for support, coaching and review.
4. **Coaching and tools** for teacher recruitment, facilitator capacity, funding, regional
   expansion and community building.

## 4. Review and renewal

The regional manager reviews progress with the partner during the year. Targets not met are
discussed first as a plan for improvement; a partnership may end at the close of a program
year when commitments are repeatedly not met.

## 5. Data

Workshop, attendance, survey and implementation data are kept in PartnerHub. Teachers' personal
data are used only to run the program and report its results, never sold or shared for
marketing.
""".strip()
