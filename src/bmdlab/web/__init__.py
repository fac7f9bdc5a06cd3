"""``bmdlab serve``: a local, offline web app over the public Python API (:mod:`bmdlab.web.app`)."""
