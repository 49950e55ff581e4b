"""`tracker import-opml` and `tracker export-opml`: feeds in from an RSS reader and out to
one, the watchlist's comments and layout kept, duplicates skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from config import load_watchlist
from tracker.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLE = (ROOT / "config/watchlist.yaml").read_text(encoding="utf-8")

# A reader's export: folders inside folders, titles in `title` or only in `text`, an
# Arabic title, feeds the example watchlist already has (written another way), a name
# the watchlist already uses, a feed listed twice and one that is not on the web.
READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions in Feeder</title></head>
  <body>
    <outline text="Syria" title="Syria">
      <outline type="rss" text="Syria Direct" title="Syria Direct"
               xmlUrl="https://syriadirect.org/feed/" htmlUrl="https://syriadirect.org/"/>
      <outline type="rss" text="Enab Baladi" xmlUrl="https://WWW.EnabBaladi.net/feed"/>
      <outline text="Arabic">
        <outline type="rss" text="الجزيرة نت" xmlUrl="https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9"/>
        <outline type="rss" text="DW Arabic" xmlurl="https://rss.dw.com/xml/rss-ar-top"/>
      </outline>
    </outline>
    <outline type="rss" text="Syria Direct (again)" xmlUrl="https://syriadirect.org/feed"/>
    <outline type="rss" text="A podcast app link" xmlUrl="feed://example.org/podcast"/>
  </body>
</opml>
"""


@pytest.fixture
def watchlist(tmp_path) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def _import(opml: str, into: Path, capsys, name: str = "feeds.opml") -> tuple[int, str, str]:
    source = into.parent / name
    source.write_text(opml, encoding="utf-8")
    status = main(["import-opml", str(source), "--into", str(into)])
    out, err = capsys.readouterr()
    return status, out, err


def test_import_adds_new_feeds_skips_duplicates_and_keeps_the_file(watchlist, capsys) -> None:
    status, out, _ = _import(READER_EXPORT, watchlist, capsys)

    assert status == 0
    assert f"{watchlist}: added 3 feeds, skipped 3" in out
    assert "+ syria-direct  https://syriadirect.org/feed/" in out
    assert "+ aljazeera     https://www.aljazeera.net/aljazeerarss/" in out  # Arabic title
    assert "+ dw-arabic-2   https://rss.dw.com/xml/rss-ar-top" in out  # dw-arabic is taken
    assert "= Enab Baladi  https://WWW.EnabBaladi.net/feed: already in the watchlist" in out
    assert "= Syria Direct (again)  https://syriadirect.org/feed: already in the watchlist" in out
    assert "= A podcast app link  feed://example.org/podcast: not an http(s) URL" in out

    text = watchlist.read_text(encoding="utf-8")
    # Every line of the file is still there, in order, comments and wrapped lists included:
    # the import only inserted lines.
    kept = iter(text.splitlines())
    assert all(line in kept for line in EXAMPLE.splitlines())
    assert len(text.splitlines()) == len(EXAMPLE.splitlines()) + 7
    # The new sources follow the last one, before the commented-out example.
    assert (
        "    every: 30m\n"
        "  # Imported from feeds.opml\n"
        "  - name: syria-direct\n"
        "    feed: https://syriadirect.org/feed/\n"
    ) in text
    assert text.index("dw-arabic-2") < text.index("# A site without a feed")

    loaded = load_watchlist([watchlist], environ={})
    assert loaded.source("syria-direct").feed == "https://syriadirect.org/feed/"
    assert loaded.source("dw-arabic-2").feed == "https://rss.dw.com/xml/rss-ar-top"
    assert main(["check", "--config", str(watchlist)]) == 0
    assert "OK: 13 sources" in capsys.readouterr().out


def test_import_twice_adds_nothing_the_second_time(watchlist, capsys) -> None:
    _import(READER_EXPORT, watchlist, capsys)
    after_first = watchlist.read_text(encoding="utf-8")
    status, out, _ = _import(READER_EXPORT, watchlist, capsys)
    assert status == 0
    assert "added 0 feeds, skipped 6" in out
    assert watchlist.read_text(encoding="utf-8") == after_first


def test_round_trip_keeps_every_feed_and_the_comments(watchlist, tmp_path, capsys) -> None:
    exported = tmp_path / "exported.opml"
    assert main(["export-opml", "--config", str(watchlist), "--output", str(exported)]) == 0
    assert (
        f"wrote 9 feeds to {exported} (and not 1 page or sitemap source)" in capsys.readouterr().out
    )
    feeds = {s.name: s.feed for s in load_watchlist([watchlist], environ={}).sources if s.feed}

    root = ET.fromstring(exported.read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    outlines = root.findall("body/outline")
    assert {o.get("title"): o.get("xmlUrl") for o in outlines} == feeds
    assert {o.get("type") for o in outlines} == {"rss"}

    # Into a new watchlist that has comments and no sources yet: every feed arrives.
    other = tmp_path / "other.yaml"
    other.write_text("# Our desk's own list.\nversion: 1  # the format\n", encoding="utf-8")
    assert main(["import-opml", str(exported), "--into", str(other)]) == 0
    assert "added 9 feeds, skipped 0" in capsys.readouterr().out
    text = other.read_text(encoding="utf-8")
    assert text.startswith("# Our desk's own list.\nversion: 1  # the format\n\nsources:\n")
    again = {s.name: s.feed for s in load_watchlist([other], environ={}).sources}
    assert again == feeds

    # And back into the watchlist it came from: all duplicates, the file untouched.
    assert main(["import-opml", str(exported), "--into", str(watchlist)]) == 0
    assert "added 0 feeds, skipped 9" in capsys.readouterr().out
    assert watchlist.read_text(encoding="utf-8") == EXAMPLE


def test_export_writes_to_stdout_by_default(write_watchlist, capsys) -> None:
    path = write_watchlist("version: 1\nsources:\n  - name: a\n    feed: https://a.example/rss\n")
    assert main(["export-opml", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert '<outline type="rss" text="a" title="a" xmlUrl="https://a.example/rss" />' in out


def test_an_empty_sources_list_becomes_a_block_list(write_watchlist, capsys) -> None:
    path = write_watchlist("version: 1\nsources: []   # none yet\ntopics: []\n")
    status, out, _ = _import(READER_EXPORT, path, capsys)
    assert status == 0 and "added 4 feeds" in out
    assert path.read_text(encoding="utf-8").startswith(
        "version: 1\nsources:  # none yet\n  # Imported from feeds.opml\n  - name: syria-direct\n"
    )
    assert len(load_watchlist([path], environ={}).sources) == 4


# Seven entities, each ten of the one before: a billion characters from a few hundred.
ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a0 "aaaaaaaaaa">'
    + "".join(f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 7))
    + ']><opml version="2.0"><body><outline text="&a6;" xmlUrl="https://x.example/"/></body></opml>'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<html><body><p>Not a feed list</p></body></html>",
            "export.opml: not an OPML file: it is <html>, not <opml>",
        ),
        ("version: 1\nsources: []\n", "export.opml:1:1: not an OPML file: syntax error"),
        (
            ENTITY_BOMB,
            "not an OPML file: limit on input amplification factor",
        ),
    ],
    ids=["html", "yaml", "entity-bomb"],
)
def test_a_file_that_is_not_opml_is_refused_plainly(watchlist, capsys, text, message) -> None:
    status, _, err = _import(text, watchlist, capsys, name="export.opml")
    assert status == 1
    assert message in err
    assert "export.opml" in err and "Traceback" not in err
    assert watchlist.read_text(encoding="utf-8") == EXAMPLE


def test_into_one_file_of_a_folder_the_other_files_count_too(tmp_path, capsys) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "watchlist.yaml").write_text(EXAMPLE, encoding="utf-8")  # has enab-baladi
    extra = folder / "extra.yaml"
    extra.write_text(
        "version: 1\nsources:\n  - name: syria-direct-old\n    feed: https://old.test/f\n"
    )
    source = tmp_path / "feeds.opml"
    source.write_text(READER_EXPORT, encoding="utf-8")

    status = main(["import-opml", str(source), "--into", str(extra), "--config", str(folder)])

    out = capsys.readouterr().out
    assert status == 0
    assert "https://WWW.EnabBaladi.net/feed: already in the watchlist" in out
    load_watchlist(sorted(folder.glob("*.yaml")))  # one watchlist, no name twice
