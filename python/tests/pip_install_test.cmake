# python.pip_install: pip installs the package from the source folder without the network and without
# build isolation, and the installed copy imports and runs from an unrelated folder.
file(REMOVE_RECURSE ${TARGET_DIR})
execute_process(
  COMMAND ${PYTHON} -m pip install --no-build-isolation --no-deps --no-index --target ${TARGET_DIR} ${SOURCE_DIR}
  RESULT_VARIABLE pip_result OUTPUT_VARIABLE pip_output ERROR_VARIABLE pip_output)
if(NOT pip_result EQUAL 0)
  message(FATAL_ERROR "pip install failed (${pip_result}):\n${pip_output}")
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${TARGET_DIR} ${PYTHON} -c
          "import sparsepixels as sp, numpy as np; m = sp.Model.from_config({'input': {'height': 8, 'width': 8, 'channels': 1, 'type': 'ap_ufixed<8,1>'}, 'layers': [{'type': 'Flatten'}, {'type': 'Dense', 'units': 2}, {'type': 'Softmax'}]}); y = m.predict(np.zeros((3, 8, 8, 1), np.float32)); assert y.shape == (3, 2), y.shape; assert sp.__file__.startswith('${TARGET_DIR}'), sp.__file__; print('installed', sp.__version__)"
  WORKING_DIRECTORY ${TARGET_DIR}
  RESULT_VARIABLE run_result OUTPUT_VARIABLE run_output ERROR_VARIABLE run_output)
if(NOT run_result EQUAL 0)
  message(FATAL_ERROR "the installed package does not work (${run_result}):\n${run_output}")
endif()
message(STATUS "${run_output}")
file(REMOVE_RECURSE ${TARGET_DIR})
