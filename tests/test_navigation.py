"""The navigation pack: Previous/Next links resolved across a content repository.

Each fixture under ``tests/fixtures/navigation/`` is a small content
repository; it is copied to a temporary folder with a ``.git`` folder so the
content index finds its root there (and not the healthlint checkout).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from healthlint.config import Config
from healthlint.content_index import ContentIndex, find_root
from healthlint.engine import Linter

FIXTURES = Path(__file__).parent / "fixtures" / "navigation"


def repo(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest)
    (dest / ".git").mkdir()
    return dest


def run(paths, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        linter = Linter(Config(root=str(cwd)), select=["navigation"])
        result = linter.run(paths)
    finally:
        os.chdir(old)
    return linter, {(d.path, d.line, d.column, d.rule) for d in result.diagnostics}


RELATIVE = {
    ("posts/2023-03-09-steam.md", 3, 24, "navigation.prev-next-unresolved"),  # letter case of "Saline Rinse.md"
    ("posts/2023-03-09-steam.md", 4, 1, "navigation.prev-next-unresolved"),  # a retired post
    ("posts/saline rinse.md", 4, 1, "navigation.prev-next-unresolved"),  # letter case of "Honey"
    ("posts/2023-03-23-honey.md", 4, 1, "navigation.prev-next-empty"),
    ("posts/2023-03-23-honey.md", 5, 1, "navigation.prev-next-self"),
}

SITEROOT = {
    ("content/blog/gargling.md", 5, 9, "navigation.prev-next-unresolved"),  # siblings.next: no such slug
    ("content/blog/gargling.md", 6, 7, "navigation.prev-next-empty"),  # next: ""
    ("content/blog/gargling.md", 10, 1, "navigation.prev-next-unresolved"),  # /blog/Sprays: letter case
}


def test_relative_links_reference_labels_spaces_case_and_self(tmp_path):
    root = repo(tmp_path, "relative")
    _, got = run(["posts"], root)
    assert got == RELATIVE


def test_site_root_paths_slugs_permalinks_bundles_and_front_matter(tmp_path):
    root = repo(tmp_path, "siteroot")
    _, got = run(["content"], root)
    assert got == SITEROOT


@pytest.mark.parametrize("name,expected", [("relative", RELATIVE), ("siteroot", SITEROOT)])
def test_one_changed_file_gets_the_same_findings_as_the_whole_run(tmp_path, name, expected):
    root = repo(tmp_path, name)
    files = sorted({path for path, *_ in expected})
    for path in files:
        _, alone = run([path], root)
        assert alone == {f for f in expected if f[0] == path}


def test_index_is_built_once_per_run(tmp_path):
    root = repo(tmp_path, "siteroot")
    linter, _ = run(["content/blog/gargling.md", "content/blog/sprays.md"], root)
    assert list(linter._indexes) == [str(root)]


def test_root_is_the_git_folder_else_the_config_folder_else_the_post_folder(tmp_path):
    post = tmp_path / "site" / "blog" / "a.md"
    post.parent.mkdir(parents=True)
    post.write_text("x\n")
    assert find_root(str(post)) == str(post.parent)
    assert find_root(str(post), str(tmp_path / "site")) == str(tmp_path / "site")
    (tmp_path / ".git").mkdir()
    assert find_root(str(post), str(tmp_path / "site")) == str(tmp_path)


def test_nfd_file_name_matches_an_nfc_link(tmp_path):
    (tmp_path / "cafe\u0301.md").write_text("Coffee.\n")  # NFD name on disk
    index = ContentIndex(str(tmp_path))
    res = index.resolve("caf%C3%A9.md", str(tmp_path / "nav.md"))
    assert res.status == "ok"


def test_external_and_other_schemes_are_not_files(tmp_path):
    index = ContentIndex(str(tmp_path))
    for target in ("https://example.com/x.md", "mailto:desk@example.com", "tel:+15555550100", "//cdn.example.com/x"):
        assert index.resolve(target, str(tmp_path / "a.md")).status == "external"


def test_link_position_is_the_bracket_of_a_reference_link_not_its_definition(tmp_path):
    root = repo(tmp_path, "relative")
    _, got = run(["posts/2023-03-09-steam.md"], root)
    assert ("posts/2023-03-09-steam.md", 4, 1, "navigation.prev-next-unresolved") in got
    assert not any(line >= 6 for _, line, _, _ in got)  # never at the definitions


def test_site_root_is_an_ancestor_named_by_the_path_when_no_repository_marker(tmp_path):
    # no .git and no configuration: the root is the post's folder, yet "/de/b" names "public/de/b.md"
    lang = tmp_path / "public" / "de"
    lang.mkdir(parents=True)
    (lang / "a.md").write_text("---\nsiblings:\n  next: /de/b\n  prev: /de/gone\n---\nText.\n")
    (lang / "b.md").write_text("Text.\n")
    _, got = run([str(lang / "a.md")], tmp_path)
    assert {(line, col) for _, line, col, _ in got} == {(4, 9)}


def run_with_config(paths, cwd):
    """Like :func:`run`, with the fixture's own ``.healthlint.yaml`` (its ``site`` settings)."""
    from healthlint.config import load_config

    old = os.getcwd()
    os.chdir(cwd)
    try:
        linter = Linter(load_config(str(cwd / ".healthlint.yaml")), select=["navigation"])
        result = linter.run(paths)
    finally:
        os.chdir(old)
    return {(d.path, d.line, d.column, d.end_line, d.end_column, d.rule): d.message for d in result.diagnostics
            if d.rule.startswith("navigation.prev-next-")}


UNRESOLVED = "navigation.prev-next-unresolved"


def test_jekyll_permalink_pattern_and_base_url(tmp_path):
    # permalinks: /blog/:year/:month/:day/:title/ (Jekyll's :title is the file's slug), content root _posts
    root = repo(tmp_path, "jekyll")
    got = run_with_config(["_posts"], root)
    assert set(got) == {
        # "[← Previous](/blog/2024/01/01/gone/)" is 36 characters on line 7
        ("_posts/2024-02-01-zinc.md", 7, 1, 7, 37, UNRESOLVED),
        # "next: " then the 44-character URL: the base URL is stripped, the path matches no post
        ("_posts/2024-03-05-honey.md", 4, 7, 4, 51, UNRESOLVED),
    }
    # with permalinks set, a path that names no post is not matched to a post by its slug ("zinc")
    assert "no post has this path" in got[("_posts/2024-03-05-honey.md", 4, 7, 4, 51, UNRESOLVED)]


def test_hugo_sections_bundles_toml_md_suffix_relative_urls_and_anchors(tmp_path):
    # content root "content"; the blog section is published at /articles/:slug/, news at its file path
    root = repo(tmp_path, "hugo")
    got = run_with_config(["content"], root)
    zinc = "content/blog/zinc.md"
    assert set(got) == {
        # [siblings] prev = "/blog/honey/": the file path of a section with a permalink pattern is no URL
        (zinc, 6, 8, 6, 22, UNRESOLVED),
        # "[Older](/articles/honey.md)": a site URL ending in .md, with the published URL in the message
        (zinc, 10, 1, 10, 28, UNRESOLVED),
        # "[Next →](/news/hours/#parking)" at column 59: the post exists, its headings give "#opening-hours"
        (zinc, 10, 59, 10, 89, UNRESOLVED),
    }
    assert "published at '/articles/honey'" in got[(zinc, 10, 1, 10, 28, UNRESOLVED)]
    assert "#parking" in got[(zinc, 10, 59, 10, 89, UNRESOLVED)]
    # "[Newer](../honey/#dosage)" is relative to the page's URL (/articles/zinc/), and honey has "## Dosage"


def test_base_url_with_a_path_prefixes_site_root_links(tmp_path):
    from healthlint.content_index import SiteSettings

    (tmp_path / "content" / "blog").mkdir(parents=True)
    (tmp_path / "content" / "blog" / "zinc.md").write_text("Zinc.\n")
    site = SiteSettings(content_root=str(tmp_path / "content"), base_url="https://example.github.io/clinic/")
    index = ContentIndex(str(tmp_path), site)
    source = str(tmp_path / "content" / "blog" / "a.md")
    assert index.resolve("/clinic/blog/zinc/", source).status == "ok"
    assert index.resolve("https://example.github.io/clinic/blog/zinc/", source).status == "ok"
    assert index.resolve("https://example.github.io/other/", source).status == "external"
    assert index.resolve("/clinic/blog/gone/", source).status == "missing"


def test_slug_fallback_stays_in_the_language_the_path_names(tmp_path):
    for lang, name in (("en", "causes"), ("it", "cause")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / f"{name}.md").write_text(f"---\nlang: {lang}\n---\nText.\n")
    index = ContentIndex(str(tmp_path))
    source = str(tmp_path / "it" / "a.md")
    assert index.resolve("/en/causes", source).status == "ok"
    res = index.resolve("/it/causes", source)  # only en/causes.md has that slug
    assert res.status == "missing"
    assert "/it/cause" in res.hint


def test_accent_and_spelling_hints(tmp_path):
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "sindrome-del-impostor.md").write_text("Texto.\n")
    index = ContentIndex(str(tmp_path))
    res = index.resolve("sindróme-del-impostor.md", str(tmp_path / "es" / "a.md"))
    assert res.status == "missing" and "sindrome-del-impostor" in res.hint and "accents" in res.hint


def test_front_matter_caption_is_compared_with_the_target_title(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("---\nsiblings:\n  next: b.md\n  nextCaption: Vitamin D in winter\n---\nA.\n")
    (tmp_path / "b.md").write_text("---\ntitle: Honey for a sore throat\n---\nB.\n")
    (tmp_path / "c.md").write_text("---\nsiblings:\n  next: b.md\n  nextCaption: Honey for sore throats\n---\nC.\n")
    _, got = run([str(tmp_path / "a.md"), str(tmp_path / "c.md")], tmp_path)
    assert {(os.path.basename(p), line, col) for p, line, col, rule in got if rule == "navigation.prev-next-title"} \
        == {("a.md", 3, 9)}


def _git(cwd, *args):
    import subprocess

    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


def _series(tmp_path):
    """A git repository of three posts: zinc → honey (a series), and a news post that links to nothing."""
    import shutil as _shutil

    if _shutil.which("git") is None:
        pytest.skip("git is not installed")
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "zinc.md").write_text("---\ntitle: Zinc\n---\nZinc.\n\n[Next →](honey.md)\n", encoding="utf-8")
    (blog / "honey.md").write_text("---\ntitle: Honey\n---\nHoney.\n\n[← Previous](zinc.md)\n", encoding="utf-8")
    (blog / "news.md").write_text("Opening hours.\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "posts")
    return blog


def test_a_renamed_post_names_the_posts_that_still_link_to_its_old_path(tmp_path):
    _series(tmp_path)
    _git(tmp_path, "mv", "blog/honey.md", "blog/honey-for-coughs.md")
    linter, got = run(["blog/honey-for-coughs.md"], tmp_path)  # what pre-commit passes: the new file only
    # zinc.md was not given, yet its "[Next →](honey.md)" (line 6, column 1) is reported
    assert ("blog/zinc.md", 6, 1, "navigation.prev-next-unresolved") in got
    # ... with the same finding a run on zinc.md gives, which names the rename
    _, alone = run(["blog/zinc.md"], tmp_path)
    assert ("blog/zinc.md", 6, 1, "navigation.prev-next-unresolved") in alone
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        messages = [d.message for d in Linter(Config(root=str(tmp_path)), select=["navigation"]).run(
            ["blog/honey-for-coughs.md"]).diagnostics if d.path == "blog/zinc.md"]
    finally:
        os.chdir(old)
    assert messages and "'blog/honey.md' was renamed to 'blog/honey-for-coughs.md' in this change" in messages[0]
    # posts that do not link to the old path are not reported
    assert not any(path == "blog/news.md" for path, *_ in got)


def test_a_deleted_post_names_the_posts_that_link_to_it(tmp_path):
    _series(tmp_path)
    _git(tmp_path, "rm", "-q", "blog/zinc.md")
    _, got = run(["blog/news.md"], tmp_path)  # any post of the repository in the run
    assert got == {("blog/honey.md", 6, 1, "navigation.prev-next-unresolved")}


def test_without_a_change_only_the_given_files_are_reported(tmp_path):
    _series(tmp_path)
    _, got = run(["blog/news.md"], tmp_path)
    assert got == set()


def test_the_rename_sample_in_the_docs_is_a_real_run(tmp_path):
    import subprocess
    import sys

    _series(tmp_path)
    _git(tmp_path, "mv", "blog/honey.md", "blog/honey-for-coughs.md")
    docs = (Path(__file__).resolve().parents[1] / "docs" / "navigation.md").read_text(encoding="utf-8")
    sample = [line for line in docs.split("\n") if line.startswith("blog/zinc.md:6:1: ")]
    assert len(sample) == 1
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    proc = subprocess.run([sys.executable, "-m", "healthlint", "check", "blog/honey-for-coughs.md",
                           "--select", "navigation", "--format", "text"],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert sample[0] in proc.stdout.split("\n"), proc.stdout
    # the renamed post's own finding (zinc.md does not link back to it) and zinc.md's, outside the run
    assert proc.stdout.split("\n")[-2] == ("Found 2 problems (1 error, 1 warning) in 1 file, and in 1 other file "
                                          "that links to a renamed or deleted post.")


def test_a_site_generator_config_marks_the_root_without_git(tmp_path):
    post = tmp_path / "site" / "_posts" / "2024-01-05-zinc.md"
    post.parent.mkdir(parents=True)
    post.write_text("x\n")
    (tmp_path / "site" / "_config.yml").write_text("title: Clinic\n")
    assert find_root(str(post), cwd=str(tmp_path / "elsewhere")) == str(tmp_path / "site")


def test_a_hint_that_asks_a_question_ends_the_message_with_its_question_mark():
    from healthlint.engine import fill

    assert fill("It does not resolve: {reason}.", {"reason": "did you mean 'b.md'?"}) == \
        "It does not resolve: did you mean 'b.md'?"
    assert fill("It does not resolve: {reason}.", {"reason": "no such file"}) == "It does not resolve: no such file."
    assert fill("Is it {x}?.", {"x": "y"}) == "Is it y?."  # the template's own punctuation stays


def test_prose_links_with_navigation_words_are_not_series_links(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "falls.md").write_text(
        "Falls are common in [older adults](older.md); see [Newer GLP-1 drugs](glp1.md).\n\n"
        "[Read more →](gone-teaser.md)\n", encoding="utf-8")
    (tmp_path / "older.md").write_text("Older adults.\n\n[Next →](diet.md)\n", encoding="utf-8")
    (tmp_path / "diet.md").write_text("Diet.\n", encoding="utf-8")
    _, got = run([str(tmp_path / "falls.md")], tmp_path)
    # glp1.md and gone-teaser.md are missing, but those are ordinary links (the links rule's warnings)
    assert {rule for *_, rule in got} == {"navigation.link-unresolved"}
    assert {(line, col) for _, line, col, _ in got} == {(1, 51), (3, 1)}


def test_an_html_previous_link_alone_on_its_line_is_a_series_link(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("Text.\n\n<a href=\"gone.md\">Next post →</a>\n", encoding="utf-8")
    _, got = run([str(tmp_path / "a.md")], tmp_path)
    assert got == {(str(tmp_path / "a.md"), 3, 1, "navigation.prev-next-unresolved")}


def test_a_section_folder_and_the_home_page_resolve(tmp_path):
    (tmp_path / "content" / "blog").mkdir(parents=True)
    (tmp_path / "content" / "blog" / "zinc.md").write_text("Zinc.\n")
    index = ContentIndex(str(tmp_path))
    source = str(tmp_path / "content" / "blog" / "zinc.md")
    assert index.resolve("/blog/", source).status == "ok"  # Hugo's list page of the section
    assert index.resolve("/", source).status == "ok"
    assert index.resolve("/news/", source).status == "missing"


def test_jekyll_slugs_collapse_hyphens(tmp_path):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2024-04-01-acid--reflux-.md").write_text("Acid.\n")
    index = ContentIndex(str(tmp_path))
    assert index.resolve("/2024/04/01/acid-reflux/", str(tmp_path / "_posts" / "a.md")).status == "ok"


def test_front_matter_mapping_is_reported_at_its_url_value(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("---\nprevious:\n  url: nowhere.md\n  title: Gone\n---\nA.\n", encoding="utf-8")
    _, got = run([str(tmp_path / "a.md")], tmp_path)
    assert {(line, col) for _, line, col, _ in got} == {(3, 8)}  # "  url: " is 7 characters


def test_a_rename_names_posts_that_percent_encode_the_old_name(tmp_path):
    blog = _series(tmp_path)
    (blog / "q&a.md").write_text("Questions.\n", encoding="utf-8")
    (blog / "faq.md").write_text("See [the answers](q%26a.md).\n", encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "faq")
    _git(tmp_path, "mv", "blog/q&a.md", "blog/questions.md")
    _, got = run(["blog/questions.md"], tmp_path)
    assert ("blog/faq.md", 1, 5, "navigation.link-unresolved") in got
