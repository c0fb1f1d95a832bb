"""Frame I/O for the editor: stills and videos in, lossless takes, the cut as frames, MP4 export.

No Qt and no torch here. Modules, each with one job:
    ffmpeg_bin   where ffmpeg is                     probe       what a file holds
    stills       images -> RGB uint8                  video       videos -> RGB frames by index
    fit          letterbox / crop / stretch           takes       lossless takes + JSON sidecars
    paths        project-relative media paths         cards       draft and offline placeholder cards
    frame_cache  bytes-bounded LRU of frames          decoders    open decoders kept per file
    thumbnails   cached thumbnails in cache/          cut         what the cut shows at frame t
    provenance   what an export says about itself     export      the cut -> MP4 (H.264/H.265)
    proxies      small all-keyframe copies for scrubbing long-GOP videos in the preview
"""
