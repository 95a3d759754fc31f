// Boost.JSON alone, for the fuzz build, which links no Asio.
#include <boost/json/src.hpp>
