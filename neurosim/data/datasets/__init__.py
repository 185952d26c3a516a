"""The built-in datasets, one module each.

Every public module here defines a :class:`neurosim.data.Dataset` subclass decorated with
:func:`neurosim.data.register_dataset`; the registry imports them all (``pkgutil``) the
first time it is consulted, so adding a dataset means adding a module, nothing else.
"""
