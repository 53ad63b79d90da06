"""python3 -m haproxyadmin --version: the library's version."""
import sys

from . import __version__


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv in (['--version'], ['-V']):
        print("haproxyadmin {}".format(__version__))
        return 0
    sys.stderr.write("usage: python3 -m haproxyadmin --version\n")
    return 2


if __name__ == '__main__':
    sys.exit(main())
