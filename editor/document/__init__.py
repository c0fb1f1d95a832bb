"""The project as plain Python: no Qt, no torch.

project   Project, Track, Clip (a draft shot has no takes), Take, Keyframe, Gap, CastMember;
          sound: AudioTrack, AudioClip in Project.audio_tracks (never in Project.tracks), Clip.link
audio_ops sound edits and the links that keep a video clip and its sound together
edits     the edit requests (AddClip, MoveClips, TrimClip, ..., PlaceGeneratedTake, Composite), EditRefused
document  Document: request / undo / redo / history / subscribe(Change) / dirty
plans     selection -> GenerationPlan (pins, target) for generate/animate/extend/infill/loop/restyle
storage   Name.shotline folders, project.json schema + versions, atomic saves, media path rules
autosave  autosave(doc), find_recovery(folder), recover_document(...)
samples   deterministic sample projects for tests, benchmarks and demos
"""
