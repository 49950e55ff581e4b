from config import load_watchlist


def test_probe(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text('version: 1\nchannels:\n  tg: "tgramm://SECRETTOKEN"\n')
    load_watchlist([p], environ={})
