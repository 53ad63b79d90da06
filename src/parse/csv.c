#include "haproxyadmin.h"
