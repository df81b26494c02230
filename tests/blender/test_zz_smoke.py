import bpy, time, os

def test_smoke(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 48)
    obj.movie_director.model_type = "t2v_1.3B"
    t = time.time()
    result = bpy.ops.movie_director.generate_shot()
    print("took", time.time() - t)
    shot = obj.movie_director
    print(result, shot.generation_status, shot.error_message, shot.generation_progress, len(shot.takes))
    print(bpy.data.texts["Movie Director Log"].as_string())
    take = shot.takes[0]
    print(take.filepath, take.fps, take.frame_count)
    se = bpy.context.scene.sequence_editor
    for s in se.strips: print(s.name, s.channel, s.frame_final_start, s.frame_final_duration, dict(s.items()))
    assert 0
