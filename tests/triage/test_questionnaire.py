"""Stored answers as the doctor and the patient read them (RULES.md 11.1 V3), rule set 3's questions included."""

from django.utils import translation

from triage.questionnaire import given_answers, notes_written, readable_answers, review_answers


def shown(sections) -> dict:
    return {name: (label, value) for _title, rows in sections for name, label, value in rows}


def test_rule_set_3_answers_list_the_new_questions_shown_to_her_in_the_form_order():
    answers = {
        "pregnancy_status": "confirmed",
        "pregnancy_weeks": 24,
        "intermenstrual_bleeding": True,
        "other_bleeding_amount": "light",
        "intermenstrual_weeks": 3,
        "tamoxifen": True,
    }
    with translation.override("en"):
        sections = readable_answers(answers, 3)
    rows = shown(sections)
    assert rows["pregnancy_weeks"] == ("Weeks of pregnancy", "24")
    assert rows["other_bleeding_amount"] == (
        "Amount of that bleeding last time",
        "I had to change a panty liner",
    )
    assert rows["other_bleeding_clots"] == ("Clots with that bleeding", "No")
    assert rows["tamoxifen"] == ("Tamoxifen (now or in the past)", "Yes")
    # Hidden for a confirmed pregnancy and without HRT: not listed.
    assert not {"period_late", "contraception", "hrt_type", "hrt_recent_change"} & set(rows)
    names = [name for _title, section in sections for name, _label, _value in section]
    assert names.index("intermenstrual_bleeding") + 1 == names.index("other_bleeding_amount")


def test_an_earlier_questionnaire_keeps_its_own_questions_and_wording():
    with translation.override("it"):
        rows = shown(readable_answers({"tamoxifen": True, "pregnancy_status": "possible"}, 2))
    assert rows["tamoxifen"] == ("Tamoxifene (ora)", "Sì")
    assert not {"period_late", "contraception", "other_bleeding_amount", "hrt_type"} & set(rows)
    # An absent screening answer showed rule set 2's default to the doctor, as rule set 2 read it.
    assert rows["last_cervical_screening"][1] == "Meno di 3 anni fa"


def test_the_review_page_lists_a_new_question_once_its_branching_shows_it():
    draft = {"menopause_status": "premenopausal", "pregnancy_status": "not_pregnant", "period_late": "no"}
    with translation.override("en"):
        rows = shown(review_answers(draft))
    assert rows["period_late"] == ("Is your period late at the moment?", "No")
    assert rows["contraception"][1] is None
    assert "pregnancy_weeks" not in rows and "shoulder_tip_pain" not in rows


def test_given_answers_are_those_she_gave_to_questions_she_was_shown():
    answers = {
        "pregnancy_status": "confirmed",
        "pregnancy_weeks": 12,
        "period_late": "late_no_test",  # hidden by a confirmed pregnancy
        "discharge_after_sex": False,
        "discharge_color": "red",  # hidden: no discharge
        "bleeding_after_sex": True,
        "bleeding_episodes_3m": "many",  # not a number
        "clots": None,  # not answered
        "notes": "",
        "age": 30,  # not a question
    }
    assert given_answers(answers, 3) == {
        "pregnancy_status": "confirmed",
        "pregnancy_weeks": 12,
        "discharge_after_sex": False,
        "bleeding_after_sex": True,
    }
    # Rule set 1 asked neither the weeks nor anything after them.
    assert "pregnancy_weeks" not in given_answers(answers, 1)


def test_notes_are_written_unless_empty_or_absent():
    assert notes_written({"notes": "febbre"})
    assert not notes_written({"notes": ""})
    assert not notes_written({"notes": None})
    assert not notes_written({})
