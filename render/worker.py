"""Entry script of the guide worker: ``blender -b copy.blend --python worker.py -- job.json``, or
``python worker.py -- job.json`` in the ``bpy`` module's Python (its Blender has no binary to start).

It loads this folder as a package of its own name, so nothing else of the add-on is imported.
"""

import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_NAME = "movie_director_guide_render"

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location(
        _NAME, os.path.join(_HERE, "__init__.py"), submodule_search_locations=[_HERE]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = package
    spec.loader.exec_module(package)
    run = importlib.import_module(f"{_NAME}.run")
    code = run.main(sys.argv)
    sys.stdout.flush()
    # ``sys.exit`` inside Blender's ``--python`` would leave Blender running its own exit path; os._exit
    # ends the worker at once (it holds nothing that needs flushing).
    os._exit(code)
