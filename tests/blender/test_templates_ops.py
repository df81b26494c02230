import bpy


def test_probe(md, fresh_scene, make_shot):
    obj = make_shot("SH010", 1, 24)
    print(bpy.ops.ed.undo_push(message="base"))
    bpy.ops.movie_director.apply_template("EXEC_DEFAULT", True, template="noir")
    print("undo poll after op", bpy.ops.ed.undo.poll())
    bpy.ops.movie_director.apply_template("EXEC_DEFAULT", True, template="dreamy")
    print(bpy.ops.ed.undo())
    obj = bpy.data.objects["SH010"]
    print("after undo 1", obj.movie_director.template, set(obj.movie_director.camera_movements))
    print(bpy.ops.ed.undo())
    obj = bpy.data.objects["SH010"]
    print("after undo 2", obj.movie_director.template, set(obj.movie_director.camera_movements), obj.movie_director.is_shot)
    print(bpy.ops.ed.redo())
    obj = bpy.data.objects["SH010"]
    print("after redo", obj.movie_director.template)
    print(bpy.ops.movie_director.describe_camera("EXEC_DEFAULT", True))
    assert False
