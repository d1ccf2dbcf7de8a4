"""Settings: precedence, and bad values rejected with the setting's name."""

import pytest

from index.config import IndexSettings, load_settings as config_loader
from qa.config import QASettings
from settings import Settings, app_settings, load_settings


def test_precedence_file_then_environment_then_overrides(tmp_path, monkeypatch):
    config = tmp_path / "policyqa.toml"
    config.write_text('model = "from-file"\nbatch_size = 8\ndense_weight = 0.2\n', encoding="utf-8")
    monkeypatch.setenv("POLICYQA_CONFIG", str(config))
    monkeypatch.setenv("POLICYQA_BATCH_SIZE", "16")
    settings = load_settings(dense_weight=0.5)
    assert (settings.model, settings.batch_size, settings.dense_weight) == ("from-file", 16, 0.5)


@pytest.mark.parametrize("env, value, message", [
    ("POLICYQA_BATCH_SIZE", "abc", "POLICYQA_BATCH_SIZE: setting 'batch_size' must be int"),
    ("POLICYQA_DENSE_WEIGHT", "7", "'dense_weight' must be between 0.0 and 1.0"),
    ("POLICYQA_INDEX_DIR", " ", "POLICYQA_INDEX_DIR: setting 'index_dir' must not be empty"),
    ("POLICYQA_LLM_URL", "http://127.0.0.1:11434/v1", "'llm_model' is required"),
    ("POLICYQA_USER", "canbo", "set both or neither"),
])
def test_bad_environment_values_name_the_setting(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(ValueError, match=message):
        load_settings()


def test_a_broken_or_unknown_config_file_is_named(tmp_path, monkeypatch):
    config = tmp_path / "policyqa.toml"
    monkeypatch.setenv("POLICYQA_CONFIG", str(config))
    config.write_text("model = \n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{config}: not valid TOML"):
        load_settings()
    config.write_text('modle = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown setting 'modle'"):
        load_settings()


def test_each_layer_reads_only_its_own_settings(tmp_path, monkeypatch):
    """The Python API (QA settings) reads a file that also holds the app's port without refusing it,
    and never learns the port; the app and the CLI (every layer's) take it."""
    config = tmp_path / "policyqa.toml"
    config.write_text('port = 8000\nabstain_threshold = 0.5\nmax_zip_mb = 50\n', encoding="utf-8")
    monkeypatch.setenv("POLICYQA_CONFIG", str(config))
    qa_settings = config_loader(QASettings)
    assert (qa_settings.abstain_threshold, qa_settings.max_zip_mb) == (0.5, 50)
    assert not hasattr(qa_settings, "port")
    assert config_loader(IndexSettings).limits.max_zip_mb == 50
    assert load_settings().port == 8000
    assert app_settings(qa_settings).port == 8000 and app_settings(qa_settings).abstain_threshold == 0.5


def test_optional_settings_are_unset_by_an_empty_value(monkeypatch):
    monkeypatch.setenv("POLICYQA_LLM_URL", "")
    monkeypatch.setenv("POLICYQA_DENSE_LANGUAGES", "")
    assert load_settings().llm_url is None and load_settings().dense_languages == ""
    with pytest.raises(ValueError, match="'batch_size'"):
        Settings(batch_size=0)
