"""Proof of origin (C2PA) in the window: the Export dialog's checkboxes and Settings > Proof of origin.

Real dialogs (offscreen), real exports, manifests read back with c2pa's Reader."""

from __future__ import annotations

from pathlib import Path

import c2pa
import pytest
from PySide6.QtCore import Qt

from editor.media import c2pa_identity
from editor.media.c2pa_manifest import RECIPES_LABEL
from editor.ui.export_dialog import ExportDialog
from editor.ui.settings import Settings

WAIT_MS = 30000


@pytest.fixture
def export_dialog(make_dialog):
    return lambda: make_dialog((216, 240))  # the "City" shot: a generated take, 72 frames


def export(qtbot, dialog: ExportDialog, out: Path):
    dialog.out_edit.setText(str(out))
    dialog.width_spin.setValue(160)
    dialog.height_spin.setValue(90)
    dialog.speed_combo.setCurrentText("ultrafast")
    with qtbot.waitSignal(dialog.runner.succeeded, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_the_export_dialog_signs_keeps_prompts_private_or_does_not_sign(qtbot, export_dialog, tmp_path):
    dialog = export_dialog()
    assert dialog.c2pa_check.isChecked() and dialog.c2pa_prompts_check.isChecked()  # on by default
    assert "Content Credentials (C2PA)" in dialog.provenance_label.text()
    dialog.grab().save(str(tmp_path / "export-dialog.png"))
    dialog.c2pa_prompts_check.setChecked(False)
    assert "prompts kept private" in dialog.provenance_label.text()
    result = export(qtbot, dialog, tmp_path / "private.mp4")
    assert result.signing.signed and "Content Credentials (C2PA): signed" in dialog.result_details.text()
    with c2pa.Reader(str(tmp_path / "private.mp4")) as reader:
        labels = [a["label"] for a in reader.get_active_manifest()["assertions"]]
    assert "c2pa.actions.v2" in labels and RECIPES_LABEL not in labels
    assert b"city at night" not in (tmp_path / "private.mp4").read_bytes()

    dialog.back_to_settings()
    dialog.c2pa_check.setChecked(False)
    assert not dialog.c2pa_prompts_check.isEnabled()
    result = export(qtbot, dialog, tmp_path / "plain.mp4")
    assert result.signing is None and c2pa.Reader.try_create(str(tmp_path / "plain.mp4")) is None


def test_proof_of_origin_settings_refuse_a_broken_certificate_and_set_the_export_defaults(
        qtbot, export_dialog, tmp_path):
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    tab = dialog.proof_tab
    dialog.tabs.setCurrentWidget(tab)
    (tmp_path / "cert.pem").write_text("not a certificate")
    tab.cert_edit.setText(str(tmp_path / "cert.pem"))
    tab.key_edit.setText(str(tmp_path / "key.pem"))
    dialog.accept()
    assert dialog.isVisible() and tab.problem_label.isVisible()  # stays open and says what to fix
    assert "key.pem does not exist; choose the right files" in tab.problem_label.text()
    assert "\n" not in tab.problem_label.text()
    dialog.grab().save(str(tmp_path / "settings-proof.png"))
    assert c2pa_identity.load_preferences() == c2pa_identity.Preferences()  # nothing stored

    tab.cert_edit.clear()
    tab.key_edit.clear()
    tab.sign_check.setChecked(False)
    dialog.accept()
    assert not dialog.isVisible()
    assert c2pa_identity.load_preferences().sign is False
    assert not export_dialog().c2pa_check.isChecked()  # the next export starts from the setting
