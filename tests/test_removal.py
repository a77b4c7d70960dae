"""Which documents a run removes, and when it must refuse to: an empty input, an unlisted folder, too large a share."""

from __future__ import annotations

from tasks.removal import Removal, planned_removal, refusal

STATUSES = {f"{i:02d}.txt": "ok" for i in range(20)} | {"bad.txt": "rejected"}


def refuse(removal: Removal, listed: int, **kw: object) -> str | None:
    args: dict = {"unlisted_folders": [], "prune": True, "max_share": 0.1, "force": False, "input_dir": "/in"} | kw
    return refusal(removal, files_listed=listed, **args)


def test_only_committed_documents_of_gone_files_count_and_only_with_prune_or_full_refresh() -> None:
    listed = [f"{i:02d}.txt" for i in range(2, 20)]  # 00 and 01 gone, like the rejected bad.txt
    assert planned_removal(listed, STATUSES, prune=True, full_refresh=False) == Removal(("00.txt", "01.txt"), 20)
    assert planned_removal(listed, STATUSES, prune=False, full_refresh=True).sources == ("00.txt", "01.txt")
    assert planned_removal(listed, STATUSES, prune=False, full_refresh=False) == Removal((), 20)
    assert planned_removal([], {}, prune=True, full_refresh=False).share == 0.0


def test_an_empty_input_refuses_prune_even_with_nothing_committed() -> None:
    everything = planned_removal([], STATUSES, prune=True, full_refresh=False)
    assert everything.count == 20
    reason = refuse(everything, 0)
    assert reason is not None and "/in holds no *.txt file" in reason and "all 20 documents" in reason
    assert "--force-prune" in reason
    assert refuse(planned_removal([], {}, prune=True, full_refresh=False), 0) is not None
    assert refuse(everything, 0, force=True) is None


def test_a_share_above_the_limit_is_refused_and_at_the_limit_it_is_not() -> None:
    two = Removal(("a", "b"), 20)  # 10 %
    assert refuse(two, 18) is None
    three = Removal(("a", "b", "c"), 20)  # 15 %
    reason = refuse(three, 17)
    assert reason is not None and "3 of 20 documents (15%)" in reason and "max_prune_share 10%" in reason
    assert refuse(three, 17, max_share=0.2) is None
    assert refuse(three, 17, force=True) is None
    assert refuse(Removal(("a",), 20), 19, max_share=0.0) is not None


def test_full_refresh_of_an_empty_input_is_refused_by_the_share() -> None:
    everything = planned_removal([], STATUSES, prune=False, full_refresh=True)
    reason = refuse(everything, 0, prune=False)
    assert reason is not None and "20 of 20 documents (100%)" in reason
    # A first full refresh into an empty output removes nothing and is never refused.
    assert refuse(planned_removal([], {}, prune=False, full_refresh=True), 0, prune=False) is None


def test_folders_that_could_not_be_listed_make_their_files_look_gone() -> None:
    one = Removal(("sub/a.txt",), 20)
    reason = refuse(one, 19, unlisted_folders=["sub", "other"])
    assert reason is not None and "2 folders of /in could not be listed (first: sub)" in reason
    assert refuse(Removal((), 20), 20, unlisted_folders=["sub"]) is None
    assert refuse(one, 19, unlisted_folders=["sub"], force=True) is None
