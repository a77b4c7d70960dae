from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasks.plan import Planned, make_shards, part_name, plan_run


def test_plan_counts_new_changed_unchanged_deleted() -> None:
    plan = plan_run({"a.txt": "1", "b.txt": "2", "c.txt": "3"}, {"a.txt": "1", "b.txt": "x", "old.txt": "9"})
    assert plan.todo == (Planned("b.txt", "2"), Planned("c.txt", "3"))
    assert (plan.new, plan.changed, plan.unchanged, plan.deleted) == (1, 1, 1, ("old.txt",))


def test_full_refresh_processes_everything_as_new() -> None:
    plan = plan_run({"a.txt": "1"}, {"a.txt": "1"}, full_refresh=True)
    assert (len(plan.todo), plan.new, plan.changed, plan.unchanged, plan.deleted) == (1, 1, 0, 0, ())


def test_part_name_depends_on_content_only() -> None:
    a = (Planned("a.txt", "1"), Planned("b.txt", "2"))
    # Pinned: a rerun of the same shard must write the same part name, in any process and release.
    assert part_name(a) == "part-ea17942c486d11de9b86"
    assert part_name([Planned("a.txt", "1"), Planned("b.txt", "2")]) == part_name(a)
    assert part_name((Planned("a.txt", "1"), Planned("b.txt", "3"))) != part_name(a)
    assert part_name((Planned("a.txt", "1"), Planned("c.txt", "2"))) != part_name(a)


@given(st.lists(st.text(min_size=1, max_size=5), unique=True, max_size=60), st.integers(1, 17))
def test_every_file_is_in_exactly_one_shard(sources: list[str], size: int) -> None:
    todo = [Planned(s, "h") for s in sources]
    shards = make_shards(todo, size)
    assert [p for shard in shards for p in shard] == todo
    assert [len(shard) for shard in shards] == [min(size, len(todo) - i) for i in range(0, len(todo), size)]
