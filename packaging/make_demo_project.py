"""Write the demo project (resources/demo/Demo.shotline/project.json) from the drawn media.

Run `python packaging/make_demo_media.py` first, then this. The demo shows each kind of thing a
user meets: imported clips, a gap to infill, a draft shot with a keyframe, a still, a cast member.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from editor.document.project import (  # noqa: E402
    AudioClip,
    AudioTrack,
    CastMember,
    Clip,
    Keyframe,
    MediaItem,
    Project,
    ShotSettings,
    Take,
    Track,
)
from editor.document.storage import derived_media, save_project  # noqa: E402

FOLDER = Path(__file__).resolve().parents[1] / "resources" / "demo" / "Demo.shotline"
FPS = 24


def take(id_: str, media: str, frames: int, *, still: bool = False) -> Take:
    meta = {} if still else {"fps": f"{FPS}/1"}
    return Take(id=id_, media=media, frames=frames, is_still=still, label="import", metadata=meta)


def main() -> int:
    sunrise = Clip(id="clip-sunrise", start=0, length=72, name="Sunrise over the lake",
                   takes=[take("take-sunrise", "media/sunrise.mp4", 72)],
                   shot=ShotSettings(prompt="A calm mountain lake at dawn, the sun rising behind the peaks"))
    city = Clip(id="clip-city", start=96, length=72, name="City at night",
                takes=[take("take-city", "media/city_night.mp4", 72)],
                shot=ShotSettings(prompt="A city skyline at night, a lit tram crossing below the towers"))
    boat = Clip(id="clip-boat", start=168, length=72, name="Paper boat",
                shot=ShotSettings(
                    prompt="A white paper boat drifts across a still blue lake, soft morning light, "
                           "gentle ripples, slow camera push in",
                    seed=42, cast=["cast-boat"]),
                keyframes=[Keyframe(id="kf-boat", image="media/paper_boat_keyframe.png", frame=0, strength=1.0)])
    lake = Clip(id="clip-lake", start=240, length=48, name="Lake at dawn (still)",
                takes=[take("take-lake", "media/lake_at_dawn.png", 1, still=True)])
    main_track = Track(id="track-v1", name="V1", clips=[sunrise, city, boat, lake])
    overlay = Track(id="track-v2", name="V2", clips=[])
    # a soft ambience under the whole cut, on A1 (packaging/make_demo_media.py makes it)
    ambience = AudioClip(id="sound-ambience", source="media/lake_ambience.m4a", start=0, length=288,
                         source_frames=288, fade_in=24, fade_out=36, name="Lake ambience")
    project = Project(
        name="Demo", fps=Fraction(FPS), width=640, height=360,
        tracks=[overlay, main_track],
        audio_tracks=[AudioTrack(id="audio-a1", name="A1", clips=[ambience])],
        cast=[CastMember(id="cast-boat", name="Paper boat", image="media/paper_boat_keyframe.png",
                         description="a small white origami boat with a folded sail")],
        metadata={"about": "Shotline demo project; all media drawn procedurally by packaging/make_demo_media.py"},
    )
    project.media = derived_media(project)  # the media bin starts with the demo's files
    project.media.append(MediaItem(ambience.source))
    save_project(project, FOLDER)
    print(f"wrote {FOLDER / 'project.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
