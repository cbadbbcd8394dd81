"""The settings table is the one place a setting is written: Config's fields, the defaults,
the environment variables, the checks and the command-line options' help all come from it."""

from __future__ import annotations

import dataclasses
import re

import click
import pytest

from cop_graph.cli import main
from cop_graph.config import SETTINGS, Config, load_config
from cop_graph.errors import ConfigError


def test_config_has_one_field_per_setting_and_no_default_of_its_own():
    assert [f.name for f in dataclasses.fields(Config)] == [s.name for s in SETTINGS]
    assert all(f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
               for f in dataclasses.fields(Config))


def test_every_default_is_read_by_the_settings_own_reader(monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    config = load_config()
    assert config.query_timeout == 10.0 and config.max_rows == 10000 and config.workers == 2
    assert config.store == "memory" and config.service_allowlist == () and config.store_path is None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"query_timeout": "soon"}, "query timeout must be a number, got 'soon'"),
    ({"max_rows": "0"}, "max rows must be at least 1"),
    ({"client_queries": "-1"}, "queries per client must be at least 0"),
    ({"store": "postgres"}, "unknown store 'postgres'"),
    ({"store_url": "ftp://x"}, "the store url must be an http(s) URL"),
    ({"base": "not an iri"}, "the base IRI must be an absolute http(s) IRI"),
    ({"store": "sparql"}, "the sparql store needs the URL of its query endpoint"),
])
def test_a_bad_value_is_named(overrides, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(**overrides)


def _options(command: click.Command) -> list[click.Option]:
    found = [p for p in command.params if isinstance(p, click.Option)]
    for sub in getattr(command, "commands", {}).values():
        found += _options(sub)
    return found


def test_every_option_that_sets_a_setting_says_its_variable_and_default():
    by_flag = {f"--{s.name.replace('_', '-')}": s for s in SETTINGS}
    by_flag["--allow-service"] = next(s for s in SETTINGS if s.name == "service_allowlist")
    checked = 0
    for option in _options(main):
        setting = next((by_flag[f] for f in option.opts if f in by_flag), None)
        if setting is None:
            continue
        assert f"[env {setting.env}" in option.help, option.opts
        assert not setting.default or f"default {setting.default}]" in option.help, option.opts
        checked += 1
    assert checked >= 9  # --base, the four store options (per command), --workers, --query-timeout, ...
