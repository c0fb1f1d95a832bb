"""The inspector's page for a sound clip: gain, fades, what it is linked to (with Unlink), and its
audio track's volume, mute and solo.

Each field commits one undoable edit when editing finishes (SetAudioClip, SetAudioTrack,
UnlinkClips) through the inspector's `request`, which puts the field back and says why when the
document refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.document import limits
from editor.document.edits import Edit, SetAudioClip, SetAudioTrack, UnlinkClips
from editor.document.project import AudioClip, AudioTrack, Project
from editor.document.timecode import duration_text


class SoundPage(QWidget):
    def __init__(self, request: Callable[[Edit], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._request = request
        self._clip_id: str | None = None
        self._track_id: str | None = None
        self._loading = False
        self._shown: dict[str, float] = {}  # what the document held when loaded: unchanged fields commit nothing
        v = QVBoxLayout(self)
        v.setContentsMargins(12, 12, 12, 12)
        v.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("heading")
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        v.addWidget(self.title)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #8b8f98;")
        v.addWidget(self.source)

        form = _form()
        self.gain = QDoubleSpinBox()
        self.gain.setObjectName("inspector.sound_gain")
        self.gain.setRange(limits.MIN_GAIN_DB, limits.MAX_GAIN_DB)
        self.gain.setSingleStep(0.5)
        self.gain.setDecimals(1)
        self.gain.setSuffix(" dB")
        self.gain.editingFinished.connect(self._commit_gain)
        form.addRow("Gain", self.gain)
        self.fade_in = QSpinBox()
        self.fade_in.setObjectName("inspector.sound_fade_in")
        self.fade_in.setSuffix(" frames")
        self.fade_in.editingFinished.connect(lambda: self._commit_fade("fade_in", self.fade_in))
        form.addRow("Fade in", self.fade_in)
        self.fade_out = QSpinBox()
        self.fade_out.setObjectName("inspector.sound_fade_out")
        self.fade_out.setSuffix(" frames")
        self.fade_out.editingFinished.connect(lambda: self._commit_fade("fade_out", self.fade_out))
        form.addRow("Fade out", self.fade_out)
        self.linked = QLabel()
        self.linked.setObjectName("inspector.sound_linked")
        self.linked.setWordWrap(True)
        form.addRow("Linked to", self.linked)
        v.addLayout(form)
        self.unlink = QPushButton("Unlink")
        self.unlink.setObjectName("inspector.sound_unlink")
        self.unlink.setToolTip("Picture and sound edit apart from now on (Edit ▸ Link Clips joins them again)")
        self.unlink.clicked.connect(self._unlink)
        v.addWidget(self.unlink)

        self.track_title = QLabel()
        self.track_title.setStyleSheet("font-weight: bold; margin-top: 8px;")
        v.addWidget(self.track_title)
        track_form = _form()
        self.volume = QDoubleSpinBox()
        self.volume.setObjectName("inspector.track_volume")
        self.volume.setRange(limits.MIN_GAIN_DB, limits.MAX_GAIN_DB)
        self.volume.setSingleStep(0.5)
        self.volume.setDecimals(1)
        self.volume.setSuffix(" dB")
        self.volume.editingFinished.connect(self._commit_volume)
        track_form.addRow("Volume", self.volume)
        self.mute = QCheckBox("Mute")
        self.mute.setObjectName("inspector.track_mute")
        self.mute.toggled.connect(lambda on: self._commit_track(muted=on))
        self.solo = QCheckBox("Solo")
        self.solo.setObjectName("inspector.track_solo")
        self.solo.toggled.connect(lambda on: self._commit_track(solo=on))
        track_form.addRow("", self.mute)
        track_form.addRow("", self.solo)
        v.addLayout(track_form)
        v.addStretch(1)

    def load(self, project: Project, track: AudioTrack, clip: AudioClip) -> None:
        self._loading = True
        try:
            self._clip_id, self._track_id = clip.id, track.id
            self.title.setText(f"Sound · {clip.name or Path(clip.source).stem}")
            self.source.setText(f"{Path(clip.source).name} · {duration_text(clip.length, project.fps)} from frame "
                                f"{clip.start} on {track.name or 'its track'}")
            self.gain.setValue(clip.gain_db)
            self.fade_in.setRange(0, clip.length)
            self.fade_out.setRange(0, clip.length)
            self.fade_in.setValue(clip.fade_in)
            self.fade_out.setValue(clip.fade_out)
            video, _ = project.linked(clip.link)
            if video:
                owner = next((t.name for t in project.tracks if any(c.id == video[0].id for c in t.clips)), "")
                self.linked.setText(f"{video[0].name or 'a clip'}" + (f" on {owner}" if owner else ""))
            else:
                self.linked.setText("nothing (moves on its own)")
            self.unlink.setEnabled(bool(clip.link))
            self.track_title.setText(f"Track {track.name}")
            self.volume.setValue(track.volume_db)
            self.mute.setChecked(track.muted)
            self.solo.setChecked(track.solo)
            self._shown = {"gain_db": clip.gain_db, "fade_in": clip.fade_in, "fade_out": clip.fade_out,
                           "volume_db": track.volume_db}
        finally:
            self._loading = False

    # --- commits ------------------------------------------------------------------------------
    def _commit_gain(self) -> None:
        gain = round(self.gain.value(), 1)
        if not self._loading and self._clip_id and gain != self._shown.get("gain_db"):
            self._request(SetAudioClip(clip_id=self._clip_id, gain_db=gain))

    def _commit_fade(self, field: str, box: QSpinBox) -> None:
        if not self._loading and self._clip_id and box.value() != self._shown.get(field):
            self._request(SetAudioClip(clip_id=self._clip_id, **{field: box.value()}))

    def _commit_volume(self) -> None:
        volume = round(self.volume.value(), 1)
        if not self._loading and self._track_id and volume != self._shown.get("volume_db"):
            self._request(SetAudioTrack(track_id=self._track_id, volume_db=volume))

    def _commit_track(self, **fields) -> None:
        if not self._loading and self._track_id:
            self._request(SetAudioTrack(track_id=self._track_id, **fields))

    def _unlink(self) -> None:
        if self._clip_id:
            self._request(UnlinkClips(clip_ids=(self._clip_id,)))


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(8)
    return form
