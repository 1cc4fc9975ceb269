# SPDX-License-Identifier: LGPL-2.1-or-later
# The package's metadata is in pyproject.toml; this file only hands cffi's
# module to setuptools (build_native.py says where libctnl is found).
from setuptools import setup

setup(cffi_modules=["build_native.py:ffibuilder"])
