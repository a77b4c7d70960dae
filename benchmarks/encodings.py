"""Legacy-encoding detection measured on texts written for it, encoded in the code pages news archives use.

`python -m benchmarks.encodings` prints, per detector (charset-normalizer, chardet, and `tasks.read.decode` as the
pipeline calls it), how many encoded samples decode back to the exact original text, per encoding and in all, at
four lengths (the first 25, 60 and 120 characters, and the whole text), then the samples each one gets wrong.
`tests/test_encodings.py` asserts that `decode` gets every sample right.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

import chardet
from charset_normalizer import from_bytes

from tasks.read import Rejected, decode

# Two short news paragraphs per language, written for this measurement (no corpus text).
TEXTS: dict[str, tuple[str, ...]] = {
    "ru": (
        "Заседание правительства прошло во вторник в Москве. Министр финансов представил новый бюджет на "
        "следующий год, а депутаты потребовали объяснений по поводу роста цен на продукты и лекарства.",
        "В Екатеринбурге из-за сильного снегопада закрыли аэропорт. Десятки рейсов задержаны, пассажиры "
        "ночевали в зале ожидания, сообщила пресс-служба администрации города.",
    ),
    "el": (
        "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα για τη στήριξη των νοικοκυριών. Ο υπουργός Οικονομικών "
        "δήλωσε ότι οι τιμές της ενέργειας θα μειωθούν μέχρι το τέλος του χρόνου.",
        "Σεισμός μεγέθους 5,2 βαθμών σημειώθηκε το πρωί στην Κρήτη. Δεν αναφέρθηκαν ζημιές, σύμφωνα με την "
        "πυροσβεστική υπηρεσία του νησιού.",
    ),
    "zh_hant": (
        "台北市政府週二宣布，將在明年擴大公共運輸補助。市長表示，這項政策將幫助上班族減輕交通負擔，並改善空氣品質。",
        "颱風預計今晚登陸東部沿海，氣象局呼籲民眾做好防颱準備。多所學校已宣布停課，部分航班也已取消。",
    ),
    "zh_hans": (
        "北京市政府周二宣布，将在明年扩大公共交通补贴。市长表示，这项政策将帮助上班族减轻交通负担，并改善空气质量。",
        "受强降雨影响，南方多个省份发布洪水预警。当地政府已经转移了数千名居民，救援队伍正在赶往灾区。",
    ),
    "ja": (
        "東京都は火曜日、来年度から公共交通機関の補助を拡大すると発表した。知事は、通勤者の負担を軽くし、"
        "空気の質を改善するためだと説明した。",
        "大型の台風が今夜、九州に上陸する見通しだ。気象庁は土砂災害への警戒を呼びかけており、多くの学校が休校を決めた。",
    ),
    "ko": (
        "서울시는 화요일 내년부터 대중교통 보조금을 확대한다고 발표했다. "
        "시장은 이 정책이 직장인의 교통비 부담을 줄이고 대기 질을 개선할 것이라고 말했다.",
        "태풍이 오늘 밤 남해안에 상륙할 것으로 예상된다. "
        "기상청은 산사태에 대비하라고 당부했으며 많은 학교가 휴교를 결정했다.",
    ),
    "ar": (
        "أعلنت الحكومة يوم الثلاثاء عن إجراءات جديدة لدعم الأسر. وقال وزير المالية إن أسعار الطاقة ستنخفض قبل "
        "نهاية العام، بينما طالب النواب بتوضيحات حول ارتفاع الأسعار.",
        "ضرب زلزال بقوة خمس درجات المنطقة الشمالية صباح اليوم، ولم تسجل أي أضرار بحسب الدفاع المدني الذي دعا "
        "السكان إلى الهدوء.",
    ),
    "he": (
        "הממשלה הודיעה ביום שלישי על צעדים חדשים לתמיכה במשפחות. שר האוצר אמר כי מחירי האנרגיה ירדו עד סוף "
        "השנה, וחברי הכנסת דרשו הסברים על עליית המחירים.",
        "סערה חזקה פקדה הלילה את צפון הארץ. כבישים נחסמו בגלל הצפות, ובתי ספר רבים הודיעו כי לא ייפתחו מחר.",
    ),
    "fr": (
        "Le conseil municipal s'est réuni mardi à Nîmes. La maire a présenté le budget de l'année prochaine : "
        "les élus ont réclamé des précisions sur la hausse des prix à la cantine et sur les travaux du lycée.",
        "Après trois jours de grève, les contrôleurs aériens ont repris le travail à Orly. Près de 400 vols ont "
        "été annulés depuis lundi, selon la Direction générale de l'aviation civile.",
    ),
    "fr_typo": (
        "« Nous ne céderons pas », a déclaré jeudi le ministre, interrogé sur l’avenir du projet. Coût estimé : "
        "1,2 milliard d’euros… et des délais qui s’allongent.",
        "Ça n’a pas traîné : dès l’aube, la préfecture a fermé la route des crêtes, où la neige dépassait "
        "déjà trente centimètres — une première depuis l’hiver 2013.",
    ),
    "de": (
        "Der Stadtrat hat am Dienstag in Köln über den Haushalt beraten. Die Bürgermeisterin erklärte, die "
        "Gebühren für Müllabfuhr und Straßenreinigung würden im nächsten Jahr nicht erhöht.",
        "Wegen eines Unwetters fielen am Freitag zahlreiche Züge zwischen München und Nürnberg aus. Die Bahn "
        "rät Reisenden, ihre Fahrt zu verschieben.",
    ),
    "pl": (
        "Rada miasta zebrała się we wtorek w Łodzi. Prezydent przedstawiła budżet na przyszły rok, a radni "
        "zażądali wyjaśnień w sprawie wzrostu cen biletów i opłat za śmieci.",
        "Z powodu silnego wiatru w całym województwie pozrywane są linie energetyczne. Bez prądu pozostaje "
        "ponad dwadzieścia tysięcy gospodarstw domowych.",
    ),
    "cs": (
        "Zastupitelstvo se sešlo v úterý v Brně. Primátorka představila rozpočet na příští rok a zastupitelé "
        "požadovali vysvětlení růstu cen jízdného a poplatků za odpad.",
        "Kvůli silnému větru spadly v noci stromy na koleje u Olomouce. Vlaky nejezdily několik hodin, "
        "cestující čekali na náhradní autobusovou dopravu.",
    ),
}
# (language of TEXTS, the encoding its samples are written in)
CASES: tuple[tuple[str, str], ...] = (
    ("ru", "cp1251"),
    ("ru", "koi8-r"),
    ("el", "iso-8859-7"),
    ("zh_hant", "big5"),
    ("zh_hans", "gb18030"),
    ("ja", "shift_jis"),
    ("ko", "euc-kr"),
    ("ar", "cp1256"),
    ("he", "iso-8859-8"),
    ("fr", "cp1252"),
    ("fr", "latin-1"),
    ("fr_typo", "cp1252"),
    ("de", "cp1252"),
    ("de", "latin-1"),
    ("pl", "cp1250"),
    ("cs", "cp1250"),
)
LENGTHS: tuple[int | None, ...] = (25, 60, 120, None)


def samples() -> list[tuple[str, str, str, bytes]]:
    """(case name, encoding, original text, encoded bytes) for every case, text and length."""
    out = []
    for lang, encoding in CASES:
        for i, text in enumerate(TEXTS[lang]):
            for n in LENGTHS:
                cut = text[:n] if n else text
                out.append((f"{lang}#{i}[{n or 'all'}]", encoding, cut, cut.encode(encoding)))
    return out


def by_charset_normalizer(raw: bytes) -> str | None:
    best = from_bytes(raw).best()
    return None if best is None else str(best)


def by_chardet(raw: bytes) -> str | None:
    found = chardet.detect(raw, prefer_superset=True, compat_names=False)["encoding"]
    try:
        return None if found is None else raw.decode(found)
    except (LookupError, UnicodeDecodeError):
        return None


def by_decode(raw: bytes) -> str | None:
    try:
        return decode(raw).text
    except Rejected:
        return None


DETECTORS: dict[str, Callable[[bytes], str | None]] = {
    "charset-normalizer": by_charset_normalizer,
    "chardet": by_chardet,
    "tasks.read.decode": by_decode,
}


def main() -> None:
    cases = samples()
    encodings = [f"{lang}/{encoding}" for lang, encoding in CASES]
    print(f"{len(cases)} samples: {len(TEXTS)} languages, {len(CASES)} encodings, lengths {LENGTHS}")
    print("detector | " + " | ".join(encodings) + " | all | ms per sample")
    failures: dict[str, list[str]] = defaultdict(list)
    for name, detect in DETECTORS.items():
        right: dict[str, int] = defaultdict(int)
        t0 = time.perf_counter()
        for case, encoding, text, raw in cases:
            if detect(raw) == text:
                right[f"{case.split('#')[0]}/{encoding}"] += 1
            else:
                failures[name].append(f"{case} {encoding}")
        ms = (time.perf_counter() - t0) * 1000 / len(cases)
        per = len(cases) // len(CASES)
        cells = [f"{right[e]}/{per}" for e in encodings]
        print(f"{name} | " + " | ".join(cells) + f" | {sum(right.values())}/{len(cases)} | {ms:.2f}")
    for name, wrong in failures.items():
        print(f"{name} wrong on: {', '.join(wrong)}")


if __name__ == "__main__":
    main()
