"""Controlled vocabularies for scenario items: skills and FIS dimensions.

Items name a skill from SKILLS; options may name DIMENSIONS they show or break.
The validator refuses any other value, so reports and spaced review can rely on them.
"""

SKILLS: dict[str, str] = {
    # Module 2: the alliance
    "alliance.goal_negotiation": "Negotiating goals",
    "alliance.task_agreement": "Agreeing on the tasks of therapy",
    "alliance.strain_naming": "Naming which part of the alliance is strained",
    # Module 3: core skills under pressure
    "empathy.underlying_feeling": "Responding to the underlying feeling",
    "warmth.acceptance": "Warmth and acceptance under pressure",
    "hope.realistic_expectation": "Offering realistic hope",
    # Module 4: noticing ruptures
    "rupture.withdrawal.notice": "Noticing a withdrawal rupture",
    "rupture.confrontation.notice": "Noticing a confrontation rupture",
    "self_awareness.therapist_pull": "Using one's own pull to defend, placate or withdraw as data",
    # Module 5: repairing ruptures
    "rupture.withdrawal.repair": "Repairing a withdrawal rupture",
    "rupture.confrontation.repair": "Repairing a confrontation rupture",
    "rupture.metacommunication": "Metacommunication about the relationship",
    # Module 6: the here-and-now
    "here_and_now.immediacy": "Immediacy: speaking to what happens between us",
    "self_disclosure.judgement": "Judging when and how to self-disclose",
    "here_and_now.check_in": "Checking in on the relationship",
    # Module 7: safety, the body and relational trauma
    "safety.pacing": "Pacing and titrating difficult material",
    "safety.grounding": "Grounding an overwhelmed client",
    "safety.safe_experiment": "The relationship as a safe experiment",
}

# The eight rated items of the Facilitative Interpersonal Skills task (Anderson et al., 2009).
DIMENSIONS: dict[str, str] = {
    "verbal_fluency": "Verbal fluency",
    "hope": "Hope and positive expectation",
    "persuasiveness": "Persuasiveness",
    "emotional_expression": "Emotional expression",
    "warmth": "Warmth, acceptance and understanding",
    "empathy": "Empathy",
    "alliance_bond": "Alliance-bond capacity",
    "rupture_repair": "Alliance-rupture-repair responsiveness",
}

DIFFICULTIES = ("beginner", "intermediate", "advanced")
