// Precompiled header of the test executables: the project's Boost header plus GoogleTest and
// GoogleMock, which every test file includes (about 1 s of parsing each, twice in CI: dev and asan).
#pragma once
#include "boost/pch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
