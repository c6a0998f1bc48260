from consensus_desktop.engine.cleaning import clean_candidate, dedup_key
from consensus_desktop.engine.cleaning import cut_at_stop as _cut_at_stop


def test_stop_on_blank_line_waits_for_the_statement_to_begin() -> None:
    stops = ["\n\n", "Opinion:"]
    assert _cut_at_stop("\n\n", stops) == ("\n\n", False)
    assert _cut_at_stop("\n\nWe agree on safety.", stops) == ("\n\nWe agree on safety.", False)
    assert _cut_at_stop("\n\nWe agree.\n\nOpinion: x", stops) == ("\n\nWe agree.", True)
    assert _cut_at_stop(" We agree. Opinion: x", stops) == (" We agree. ", True)


def test_clean_trims_to_whole_sentences_and_strips_echoes() -> None:
    assert clean_candidate("\n\nWe agree that safety matters. We also thi") == (
        "We agree that safety matters."
    )
    assert (
        clean_candidate("Consensus: We agree that safety matters.")
        == "We agree that safety matters."
    )
    assert (
        clean_candidate("We agree on this point. Opinion: me me me.") == "We agree on this point."
    )
    assert (
        clean_candidate("1. Lower the speed limit near schools.")
        == "Lower the speed limit near schools."
    )


def test_clean_drops_fragments_and_very_short_outputs() -> None:
    assert clean_candidate("\n\nIn conclusion:") == ""
    assert clean_candidate("Yes.") == ""
    assert clean_candidate("") == ""
    assert clean_candidate("no sentence end at all here") == ""


def test_dedup_key_ignores_case_space_and_punctuation() -> None:
    assert dedup_key("We agree, mostly.") == dedup_key("we  agree mostly")
    assert dedup_key("We agree.") != dedup_key("We disagree.")
