from benchmarks.halves import half_of


def test_half_depends_only_on_the_file_name():
    assert half_of("017_cad564f2fb6aaca9.txt") == half_of("input/017_cad564f2fb6aaca9.txt")


def test_halves_are_balanced_and_fixed():
    names = [f"{i:03d}_x.txt" for i in range(1000)]
    tune = sum(half_of(n) == "tune" for n in names)
    assert 450 <= tune <= 550
    # Pinned: changing the hash would silently move documents between the halves.
    assert [half_of(n) for n in names[:6]] == ["check", "tune", "tune", "tune", "tune", "check"]
