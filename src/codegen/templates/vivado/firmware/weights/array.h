// {{comment}}
#ifndef {{guard}}
#define {{guard}}

#include "../defines.h"

{{declaration}} = {{values}};

#endif
