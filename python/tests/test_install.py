"""make install puts the package where the prefix's python3 finds it."""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest


def test_install_into_prefix_site_dir(tmp_path):
    build = os.environ.get('HAP_BUILDDIR')
    meson = shutil.which('meson')
    if not build or not meson:
        pytest.skip('HAP_BUILDDIR or meson missing (run through meson test)')
    subprocess.run([meson, 'install', '-C', build, '--no-rebuild', '--quiet',
                    '--destdir', str(tmp_path)], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    found = glob.glob(str(tmp_path / '**' / 'haproxyadmin' / '_haproxyadmin*.so'),
                      recursive=True)
    assert len(found) == 1
    pkg = os.path.dirname(found[0])
    for m in ('__init__', '__main__', 'haproxy', 'frontend', 'backend', 'server',
              'exceptions', 'utils'):
        assert os.path.isfile(os.path.join(pkg, m + '.py'))
    site = os.path.dirname(pkg)[len(str(tmp_path)):]
    prefix = subprocess.run([meson, 'introspect', '--buildoptions', build], check=True,
                            capture_output=True, text=True).stdout
    import json
    prefix = [o['value'] for o in json.loads(prefix) if o['name'] == 'prefix'][0]
    if prefix in ('/usr', '/usr/local'):
        # on Debian's sys.path for that prefix
        assert site in sys.path or site == sysconfig.get_path('platlib'), site
    # importable from there alone (not from the build tree)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(pkg))
    out = subprocess.run([sys.executable, '-m', 'haproxyadmin', '--version'], env=env,
                         cwd=str(tmp_path), capture_output=True, text=True, check=True)
    assert out.stdout.startswith('haproxyadmin ')
    where = subprocess.run([sys.executable, '-c', 'import haproxyadmin; print(haproxyadmin.__file__)'],
                           env=env, cwd=str(tmp_path), capture_output=True, text=True,
                           check=True).stdout
    assert where.startswith(str(tmp_path))
