"""check_call's two readings of a call's answers: the one that tests every answer at once as sets
(``_in_final_form``) gives, whenever it gives anything, exactly what checking them one by one gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine.decide import _in_final_form, _one_by_one, _options
from crisis_triage.engine.session import MAX_TEXT, SessionError


def _values(protocol):
    options = sorted({o.id for q in protocol.questions for o in q.options} | {"yes", "no", "nonsense"})
    scalar = st.sampled_from(options) | st.none() | st.booleans() | st.integers(-3, 200) | st.floats(allow_nan=False)
    text = st.text(max_size=5) | st.just("x" * (MAX_TEXT + 1))
    return (
        scalar
        | text
        | st.lists(st.sampled_from(options) | st.integers(0, 3), max_size=4)
        | st.lists(st.lists(st.none()), max_size=1)
    )


def _one_by_one_outcome(protocol, answers):
    try:
        return _one_by_one(protocol, _options(protocol), answers)
    except (SessionError, TypeError) as exc:
        return type(exc)


def test_at_once_and_one_by_one_agree(boston):
    ids = [q.id for q in boston.questions] + ["no_such_question"]

    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(ids), _values(boston), max_size=12))
    def check(answers):
        at_once = _in_final_form(_options(boston), answers)
        if at_once is not None:
            expected = _one_by_one_outcome(boston, answers)
            assert at_once == expected and list(at_once) == list(expected)

    check()


def test_generated_calls_are_read_at_once(boston):
    from crisis_triage.replay.generate_calls import generate_calls

    for call in generate_calls(boston, 50, seed=3):
        at_once = _in_final_form(_options(boston), call["answers"])
        assert at_once is not None and at_once == _one_by_one(boston, _options(boston), call["answers"])


def test_at_once_and_one_by_one_agree_on_answers_that_nearly_fit(boston):
    """Answers drawn from each question's own options (so the reading at once often applies), with
    now and then a wrong value, a repeated option or a list where one answer is wanted."""

    def answer(question):
        ids = [o.id for o in question.options] or ["free text"]
        near = st.sampled_from(ids)
        return near | st.lists(near, max_size=3) | st.sampled_from([True, 1, "x" * (MAX_TEXT + 1), None])

    questions = st.sampled_from(boston.questions)

    @settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(questions.flatmap(lambda q: st.tuples(st.just(q.id), answer(q))), max_size=15))
    def check(pairs):
        answers = dict(pairs)
        at_once = _in_final_form(_options(boston), answers)
        expected = _one_by_one_outcome(boston, answers)
        if at_once is not None:
            assert at_once == expected and list(at_once) == list(expected)
        else:
            assert expected is not None

    check()
