"""The cut as plain data (read from Blender's sequencer by ``runtime.cut_reader``) and its export to
editors through OpenTimelineIO. Plain Python: never imports bpy. Data flows one way: bpy -> Cut -> file."""
