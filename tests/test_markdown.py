"""The Markdown reading-list reader, against the seed catalog, real blog posts and snippets."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refexport.errors import InputError
from refexport.formats.markdown import read
from refexport.model import Date, Origin, Record
from refexport.resources import default_catalog

from conftest import DATA, shared_corpus

POSTS = DATA / "markdown"


def read_post(file_name: str) -> list[Record]:
    result = read((POSTS / file_name).read_bytes(), file_name)
    assert result.problems == []
    return result.records


def at_line(records: list[Record], line: int) -> list[Record]:
    return [record for record in records if record.origin[0].line == line]


def only_at_line(records: list[Record], line: int) -> Record:
    found = at_line(records, line)
    assert len(found) == 1, found
    return found[0]


def read_text(text: str, name: str = "2020-3-4-list.md") -> list[Record]:
    return read(text.encode("utf-8"), name).records


FRONT = "---\nlayout: post\ntitle:  A list\ncategory: Tools \n---\n\n"


# --- the seed catalog -------------------------------------------------------------------


def test_seed_catalog_gives_53_titled_records() -> None:
    path = default_catalog()
    result = read(path.read_bytes(), str(path))
    records = result.records
    assert len(records) == 53
    assert all(record.title for record in records)
    assert result.title == "并行 & 框架 & 优化（五）——参考资料"
    assert {tuple(r.collection) for r in records} == {
        ("并行 & 框架 & 优化（五）——参考资料", "并行 & 框架 & 优化")
    }
    assert all(r.tags == ["DL acceleration"] for r in records)
    assert all(r.accessed is None for r in records)  # the seed's file name has no date
    first = records[0]
    assert first.url == "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA"
    assert first.title == "高效大规模机器学习训练，198页PDF带你概览领域前沿进展"
    assert first.origin == [Origin(str(path), 12, "https://mp.weixin.qq.com/s/ai_XI8ddP5I2m3ChCqnQsA")]
    assert (first.type, first.id, first.key, first.custom) == ("webpage", "", "", {})
    noted = [r for r in records if r.note]
    assert len(noted) == 1
    assert noted[0].title == "没错，纯SQL查询语句可以实现神经网络。"
    assert noted[0].note is not None and noted[0].note.startswith("SQL跑神经网络固然没有太大意义")
    assert records[-1].title == "为什么模型和数据都在gpu上，却打不满GPU的使用率？"


# --- real posts -------------------------------------------------------------------------


def test_post_date_becomes_accessed_and_category_a_tag() -> None:
    records = read_post("2015-1-27-zigbee.markdown")
    assert records
    assert all(r.accessed == Date.of(2015, 1, 27) for r in records)
    assert all(r.collection[0] == "ZigBee, ZStack" and r.tags == ["technology"] for r in records)


def test_title_before_url_then_heading_is_the_title_x4() -> None:
    record = only_at_line(read_post("2015-1-27-zigbee.markdown"), 290)
    assert record.title == "TI ZigBee FAQ 常见问题解答"


def test_title_first_pair_of_urls_x4() -> None:
    records = read_post("2015-2-21-cocos2d.markdown")
    assert only_at_line(records, 41).title == "中文版教程"
    assert only_at_line(records, 45).title == "英文版教程"


def test_url_splitting_a_sentence_has_no_title_x2() -> None:
    record = only_at_line(read_post("2015-2-21-cocos2d.markdown"), 101)
    assert record.url == "https://github.com/cocos2d/cocos2d-x/issues/"
    assert record.title is None


def test_numbered_steps_are_not_the_previous_urls_caption_x3() -> None:
    records = read_post("2015-12-22-network.markdown")
    assert only_at_line(records, 174).title == "1.ircd-hybrid"
    assert only_at_line(records, 178).title == "2.unrealircd"
    # after a label (`安装教程：`) and before a heading: no title at all
    assert only_at_line(records, 182).title is None


def test_inline_link_whose_text_is_the_url_is_one_record_without_title() -> None:
    record = only_at_line(read_post("2015-1-8-emacs.markdown"), 142)
    assert record.url == "http://sourceforge.net/p/cscope/patches/65/"
    assert record.title is None


def test_html_block_table_and_sentence_urls_are_records_code_is_not() -> None:
    elastic = read_post("2017-3-21-elasticsearch.markdown")
    assert only_at_line(elastic, 330).url == "http://www.cnblogs.com/eggTwo/p/4390620.html"
    assert only_at_line(elastic, 330).title is None
    assert at_line(elastic, 53) == []  # `curl -X GET http://localhost:9200/…` in a code span
    python = read_post("2020-12-24-python_5.markdown")
    assert only_at_line(python, 458).url == "http://jcaptcha.sourceforge.net/"
    android = read_post("2014-12-25-Android_study.markdown")
    assert only_at_line(android, 92).url == "http://source.android.com"
    assert only_at_line(android, 199).url == "https://dl-ssl.google.com/android/eclipse/"
    assert at_line(android, 159) == []  # inside a ``` fence


def test_bare_url_in_parentheses_stops_at_the_closing_paren() -> None:
    record = only_at_line(read_post("2015-6-10-dlna.markdown"), 288)
    assert record.url == "http://4thline.org/"


def test_url_alone_in_blockquote_has_no_title() -> None:
    records = read_post("2016-7-27-Machine_Learning.markdown")
    assert only_at_line(records, 20).url == "http://www.andrewng.org/"
    assert only_at_line(records, 20).title is None
    assert only_at_line(records, 22).title == "这是网友jerrylead翻译整理的版本，也是本文的一个重要的参考。"


def test_url_alone_lines_are_verbatim() -> None:
    glued = only_at_line(read_post("2020-4-25-biology_4.markdown"), 30)
    assert glued.url == "https://mp.weixin.qq.com/s/_b5wRtOMwmGi8N5fxgMFEw看破"
    assert glued.title == "生命三问（上）：生命是如何进化出来的？"
    question = only_at_line(read_post("2022-4-21-palaeontology.markdown"), 184)
    assert question.url == "https://mp.weixin.qq.com/s/lPm8S46l0cV5BRbTsUKgjg?"
    assert question.title == "2.5亿年后，超大陆地球会是什么样？"


def test_mangled_scheme_is_not_a_record() -> None:
    records = read_post("2017-9-6-Deep_Learning_15.markdown")
    assert not any("49534423" in (r.url or "") for r in records)


# --- snippets ---------------------------------------------------------------------------


def test_group_of_urls_caption_goes_to_the_last_and_labels_are_not_titles() -> None:
    records = read_text(
        FRONT + "# Sec\n\nhttp://a.example/\n\nhttp://b.example/\n\nCaption B\n\n"
        "http://c.example/\n\n参考：\n\nhttp://d.example/\n\nCaption D  \n"
    )
    assert [(r.url, r.title) for r in records] == [
        ("http://a.example/", None),
        ("http://b.example/", "Caption B"),
        ("http://c.example/", None),
        ("http://d.example/", "Caption D"),
    ]
    assert all(r.tags == ["Tools"] and r.accessed == Date.of(2020, 3, 4) for r in records)


def test_note_spans_consecutive_quote_lines_after_title_or_url() -> None:
    records = read_text(
        FRONT
        + "https://a.example/x\n\nTitle\n\n>first line   \n> second\n\nhttps://b.example/\n\n>note only\n"
    )
    assert records[0].note == "first line\nsecond"
    assert (records[1].title, records[1].note) == (None, "note only")


def test_heading_path_pops_deeper_or_equal_levels_and_ignores_fenced_hashes() -> None:
    text = (
        FRONT + "# A\n\n## B+\n\nhttp://one.example/\n\nOne\n\n```bash\n# not a heading\n```\n\n"
        "### C ###\n\nhttp://two.example/\n\nTwo\n\n## D\n\nhttp://three.example/\n\nThree\n"
    )
    collections = [r.collection for r in read_text(text)]
    assert collections == [["A list", "A", "B+"], ["A list", "A", "B+", "C"], ["A list", "A", "D"]]


def test_inline_links_bare_urls_and_non_records() -> None:
    text = FRONT + (
        "1.[Matrix](http://en.wikipedia.org/wiki/Matrix_(mathematics)#Decomposition) and "
        "[rel](/ml/2016/08/02/x.html) and ![](/images/a.png) ![x](http://img.example/a.png)\n\n"
        "见http://pkgs.org这个网站，或者（http://code.example/p/x.7z）中的 http://e.example/a_(b)). 完\n\n"
        "git://x.example/a sftp://y.example/ `http://code.example/` www.gtk.org\n\n"
        "$$[f](http://math.example/)$$\n\n"
        "1.http://msdn.example/dd318258(v=vs.85).aspx\n\nMSDN\n"
    )
    assert [(r.url, r.title) for r in read_text(text)] == [
        ("http://en.wikipedia.org/wiki/Matrix_(mathematics)#Decomposition", "Matrix"),
        ("http://pkgs.org", None),
        ("http://code.example/p/x.7z", None),
        ("http://e.example/a_(b)", None),
        ("http://msdn.example/dd318258(v=vs.85).aspx", "MSDN"),
    ]


def test_numbered_step_after_url_is_not_its_title_but_prose_is() -> None:
    records = read_text(
        FRONT + "# S\n\nhttps://a.example/\n\n2.修改gem的源\n\nhttps://b.example/\n\n一个GTK的专栏\n"
    )
    assert [r.title for r in records] == [None, "一个GTK的专栏"]


def test_without_front_matter_the_file_stem_names_the_collection() -> None:
    result = read(b"http://a.example/\r\n\r\nTitle\r\n", "lists/reading.md")
    assert result.title is None
    assert result.records[0].collection == ["reading"]
    assert result.records[0].title == "Title"
    assert result.records[0].origin == [Origin("lists/reading.md", 1, "http://a.example/")]


def test_bom_and_front_matter_that_is_not_yaml() -> None:
    text = "\ufeff---\nlayout: post\ntitle: C++: a: b [x\ncategory: [oops\n---\nhttp://a.example/\n\nT\n"
    result = read(text.encode(), "2015-1-8-x.md")
    assert result.title == "C++: a: b [x"
    assert result.records[0].tags == ["[oops"]
    assert result.records[0].origin[0].line == 6  # front matter lines count


def test_invalid_utf8_names_the_first_bad_line() -> None:
    data = b"---\ntitle: x\n---\nhttp://a.example/\n" + b"caf\xe9\n"
    with pytest.raises(InputError) as caught:
        read(data, "bad.md")
    assert caught.value.problem.file == "bad.md"
    assert caught.value.problem.where == 5
    assert "not UTF-8" in str(caught.value)


def test_unclosed_fence_is_a_problem_and_the_rest_is_kept() -> None:
    result = read(b"http://a.example/\n\nA\n\n```\nhttp://code.example/\n", "x.md")
    assert [r.url for r in result.records] == ["http://a.example/"]
    assert [(p.file, p.where) for p in result.problems] == [("x.md", 5)]


def test_no_date_in_name_or_impossible_date_gives_no_accessed() -> None:
    assert read_text("http://a.example/\n", "2015-2-30-x.md")[0].accessed is None
    assert read_text("http://a.example/\n", "notes.md")[0].accessed is None


# --- CommonMark and other people's lists ---------------------------------------------------

LISTS = DATA / "markdown-lists"


def read_list(file_name: str) -> list[Record]:
    result = read((LISTS / file_name).read_bytes(), file_name)
    assert result.problems == []
    return result.records


def entries(records: list[Record]) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.url, r.title, r.note) for r in records]


def test_reference_links_are_records_where_they_are_used() -> None:
    records = read_text(
        "## Used\n\nSee [Title *one*][1] and [Two] here.\n\n## Definitions\n\n"
        '[1]: http://one.example/\n[two]: http://two.example/ "T"\n[Unused  label]: http://three.example/\n'
        "[9]: http://nine.example/\n[badge]: https://img.shields.io/badge/x.svg\n"
    )
    assert [(r.url, r.title, r.origin[0].line, r.collection[1:]) for r in records] == [
        ("http://one.example/", "Title one", 3, ["Used"]),
        ("http://two.example/", "Two", 3, ["Used"]),
        # definitions no link uses: a record on their own line, titled by a label that is not a number
        ("http://three.example/", "Unused label", 9, ["Definitions"]),
        ("http://nine.example/", None, 10, ["Definitions"]),
    ]


def test_html_anchor_text_is_the_title_and_images_comments_are_not_records() -> None:
    text = (
        '<p align="center">\n  <a href="https://sponsor.example/"><img src="https://img.example/logo.png"></a>\n'
        "</p>\n\n"
        '&nbsp;&nbsp;:black_small_square: <a href="https://nginx.org/en/docs/"><b>Nginx Documentation</b></a>'
        " - official docs<br>\n\n"
        "<!-- a comment with https://comment.example/ and\n\n## Not a heading\n-->\n\n## Real\n\n"
        'Read <a href="https://inline.example/">the <em>inline</em> one</a> today. <a name="x"></a>\n'
    )
    records = read_text(text)
    assert [(r.url, r.title, r.note, r.collection[1:], r.origin[0].line) for r in records] == [
        ("https://nginx.org/en/docs/", "Nginx Documentation", "official docs", [], 5),
        ("https://inline.example/", "the inline one", None, ["Real"], 14),
    ]


def test_link_text_markup_becomes_text_and_badges_are_not_records() -> None:
    records = read_text(
        "* [**Bold** `code()` ![logo](https://img.example/x.png) _em_ &amp; more](https://a.example/)\n"
        "* [![Build](https://ci.example/badge.svg)](https://ci.example/) [![x][icon]](https://oss.example/)\n"
        "* ![image](https://img.example/y.png)\n\n[icon]: https://img.example/icon.svg\n"
    )
    assert entries(records) == [("https://a.example/", "Bold code() em & more", None)]


def test_placeholder_link_texts_give_way_to_the_entry_s_own_name() -> None:
    records = read_text(
        "* Microsoft (ResNet) [[Paper](https://p.example/1)][[Slide](https://p.example/2)]\n"
        "* R-CNN, UC Berkeley [[Paper-CVPR14]](https://p.example/3)\n"
        "1. **Graph Networks.** *NeurIPS 2018.* [paper](https://p.example/4)\n"
        "* ⭐️ Paxos Made Simple, ACM 2001 [[acmdl](https://p.example/5),[pdf](https://p.example/6)]\n"
        "* [1] A. Author. [“Real Title.”](https://p.example/7) Venue. [[code](https://p.example/8)]\n"
        "* [here](https://p.example/9)\n"
    )
    assert [r.title for r in records] == [
        "Microsoft (ResNet)",
        "Microsoft (ResNet)",
        "R-CNN, UC Berkeley",
        "Graph Networks",
        "Paxos Made Simple, ACM 2001",
        "Paxos Made Simple, ACM 2001",
        "“Real Title.”",
        "“Real Title.”",
        "here",  # nothing else names it
    ]


def test_descriptions_after_an_entry_become_notes() -> None:
    records = read_text(
        "* Airbnb https://airbnb.example/ - Travel\n"
        "- [Name](https://n.example/) - Desc. ([Demo](https://demo.example/)) `PHP`\n"
        "- [书名](https://book.example/)：说明文字\n"
        "* [The Batch](https://batch.example/) Andrew Ng's weekly\n"
        "- [Cx](https://cx.example/) `⚠` - Reporting tool\n\n"
        "[Plain line](https://plain.example/) — described\n\n"
        "One data point from [Song](https://song.example/): “not a description”.\n\n"
        "| [API](https://api.example/) | A table cell is no note |\n|---|---|\n| x | y |\n"
    )
    assert entries(records) == [
        ("https://airbnb.example/", "Airbnb", "Travel"),
        ("https://n.example/", "Name", "Desc. (Demo) PHP"),
        ("https://demo.example/", "Name", None),
        ("https://book.example/", "书名", "说明文字"),
        ("https://batch.example/", "The Batch", "Andrew Ng's weekly"),
        ("https://cx.example/", "Cx", "Reporting tool"),
        ("https://plain.example/", "Plain line", "described"),
        ("https://song.example/", "Song", None),
        ("https://api.example/", "API", None),
    ]


def test_a_link_alone_takes_the_next_paragraph_as_its_note() -> None:
    records = read_text(
        "* [《Distributed Systems》](https://ds.example/)\n\n介绍:课程课件.\n\n"
        "* [《Other》](https://other.example/)\n\n**A bold label**\n\n"
        "[Quoted](https://q.example/)\n\n> a quoted note\n"
    )
    assert entries(records) == [
        ("https://ds.example/", "《Distributed Systems》", "介绍:课程课件."),
        ("https://other.example/", "《Other》", None),
        ("https://q.example/", "Quoted", "a quoted note"),
    ]


def test_a_plain_nested_item_is_the_note_of_the_item_above() -> None:
    records = read_text(
        "* ⭐️ Time, Clocks, CACM 1978 [[acmdl](https://p.example/1),[pdf](https://p.example/2)]\n"
        "  * Easily one of the most influential papers.\n"
        "* SQL [[sql](https://p.example/3)]\n"
        "  * Generic\n"
        "    * [sqlx](https://p.example/4) - async SQL\n"
        "* [tokio](https://p.example/5) - runtime\n"
        "  * [mio](https://p.example/6)\n"
    )
    assert entries(records) == [
        ("https://p.example/1", "Time, Clocks, CACM 1978", "Easily one of the most influential papers."),
        ("https://p.example/2", "Time, Clocks, CACM 1978", "Easily one of the most influential papers."),
        ("https://p.example/3", "sql", None),  # `Generic` has items of its own: a subsection
        ("https://p.example/4", "sqlx", "async SQL"),
        ("https://p.example/5", "tokio", "runtime"),
        ("https://p.example/6", "mio", None),
    ]


def test_sections_are_headings_reduced_to_text() -> None:
    records = read_text(
        FRONT + "Setext Title\n============\n\n[a](https://a.example/)\n\n"
        "## CLI Tools &nbsp;[<sup>[TOC]</sup>](#toc)\n\n[b](https://b.example/)\n\n"
        '## <a name="testing"></a>Testing `pytest` **now**\n\n[c](https://c.example/)\n\n'
        "## [Models](#content)\n\n[d](https://d.example/)\n\n"
        "### Links in [a heading](https://h.example/) {#custom-id}\n\n"
        "> ## Not a section\n>\n> [e](https://e.example/)\n"
    )
    assert [(r.url, r.collection[1:]) for r in records] == [
        ("https://a.example/", ["Setext Title"]),
        ("https://b.example/", ["Setext Title", "CLI Tools"]),
        ("https://c.example/", ["Setext Title", "Testing pytest now"]),
        ("https://d.example/", ["Setext Title", "Models"]),
        ("https://h.example/", ["Setext Title", "Models", "Links in a heading"]),
        ("https://e.example/", ["Setext Title", "Models", "Links in a heading"]),
    ]
    assert records[4].title == "a heading"


def test_code_inside_list_items_and_front_matter_are_not_records() -> None:
    text = (
        "---\nlinks: https://front.example/\n---\n\n"
        "1. Install:\n\n   ```sh\n   curl https://fenced.example/install.sh\n   ```\n\n"
        "       indented https://indented.example/\n\n"
        "2. Then `open https://span.example/` and [real](https://real.example/)\n"
    )
    records = read_text(text)
    assert [(r.url, r.origin[0].line) for r in records] == [("https://real.example/", 13)]


def test_a_shortcut_reference_list_with_definition_lines() -> None:
    records = read_list("pandoc-libraries.md")
    first = records[0]
    assert (first.url, first.title, first.note, first.origin[0].line) == (
        "https://hackage.haskell.org/package/citeproc",
        "citeproc",
        "Citation processing using CSL stylesheets.",
        10,
    )
    assert all(r.title for r in records)
    assert all(r.collection == ["The pandoc family of libraries"] for r in records)


def test_an_awesome_list_with_an_html_sponsor_block_and_reference_images() -> None:
    records = read_list("awesome-mac-command-line-apps-zh.md")
    assert not any(r.url.endswith((".png", ".svg")) for r in records if r.url)
    sponsor = at_line(records, 10)[0]
    assert (
        sponsor.url == "https://getapps.cafe/" and sponsor.title and sponsor.title.startswith("getapps.cafe")
    )
    mycli = only_at_line(records, 112)
    assert (mycli.title, mycli.collection[1:]) == ("mycli", ["优秀的命令行应用精选", "数据库"])
    assert mycli.note is not None and mycli.note.startswith("CLI for MySQL")


def test_a_list_with_a_bom_and_anchor_headings() -> None:
    records = read_list("free-programming-books-zh.md")
    git = only_at_line(records, 91)
    assert (git.title, git.note, git.collection[1:]) == (
        "猴子都能懂的GIT入门",
        "Nulab Inc.",
        ["语言无关", "版本控制"],
    )
    assert all("<" not in name and "[" not in name for r in records for name in r.collection)


def test_a_syntax_tour_post() -> None:
    records = read_list("chirpy-hello-post.md")
    assert [(r.url, r.title, r.note) for r in records] == [
        ("https://jackey890819.github.io/", "Github", None),
        ("https://www.markdownguide.org/", None, None),
        ("https://markdown.com.cn/", None, None),
    ]
    assert records[1].collection[-1] == "範例標題"


def test_the_foreign_lists_read_without_markup_in_sections() -> None:
    folder = shared_corpus("markdown-lists")
    total = 0
    for path in sorted(folder.glob("*.md")):
        for record in read(path.read_bytes(), path.name).records:
            total += 1
            assert record.url and record.url.lower().startswith(("http://", "https://", "ftp://"))
            for name in record.collection[1:]:
                assert not any(mark in name for mark in ("](", "<a ", "<sup", "&nbsp;", "**")), name
    assert total > 8000


def test_list_test_data_has_its_sources_file() -> None:
    listed = (LISTS / "SOURCES.md").read_text(encoding="utf-8")
    for path in LISTS.glob("*.md"):
        assert path.name == "SOURCES.md" or f"| {path.name} |" in listed, path.name


# --- properties -------------------------------------------------------------------------

TITLE_CHARS = st.sampled_from(
    list(string.ascii_letters + string.digits + " ") + list("机器学习深度模型（）《》，")
)
titles = (
    st.text(TITLE_CHARS, min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda t: t != "" and not t[0].isdigit() and not t.endswith(("：", ":")))
)
paths = st.text(st.sampled_from(list(string.ascii_letters + string.digits + "-_/")), max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(paths, titles), min_size=1, max_size=8))
def test_a_generated_list_reads_back_exactly(entries: list[tuple[str, str]]) -> None:
    text = (
        FRONT + "# Sec\n\n" + "".join(f"https://x.example/{path}\n\n{title}\n\n" for path, title in entries)
    )
    records = read_text(text)
    assert [(r.url, r.title) for r in records] == [(f"https://x.example/{p}", t) for p, t in entries]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    result = read(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode(), "any.md")
    for record in result.records:
        assert record.url and "://" in record.url
        assert record.origin[0].line is not None and record.origin[0].line >= 1


# --- the whole blog ---------------------------------------------------------------------


def test_the_whole_blog_reads_with_plausible_totals() -> None:
    posts = sorted(shared_corpus("blog/_posts").iterdir())
    assert len(posts) > 800
    total = titled = 0
    for post in posts:
        result = read(post.read_bytes(), str(post))
        total += len(result.records)
        titled += sum(1 for r in result.records if r.title)
        for record in result.records:
            assert record.url is not None and record.url.lower().startswith(("http://", "https://", "ftp://"))
    # ~25,000 http/https/ftp occurrences minus the ~65 in code; 95 % of URL-alone lines have a caption
    assert 24_000 < total < 25_200
    assert titled / total > 0.93


def test_test_data_has_its_sources_file() -> None:
    listed = (POSTS / "SOURCES.md").read_text(encoding="utf-8")
    for post in POSTS.glob("*.markdown"):
        assert post.name in listed, post.name
