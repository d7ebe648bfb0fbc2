# Installs BUILD_DIR into PREFIX (emptied first) and checks every file lands where
# docs/operations.md says, and that the installed program runs.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}\n${err}")
endif()
# GNUInstallDirs picks lib64 or lib/<multiarch> per platform, but bin and share are fixed.
set(expected
  bin/ml-connector
  share/ml-connector/examples/ml-connector.yaml
  share/ml-connector/examples/demo.yaml
  share/ml-connector/systemd/ml-connector.service
  share/doc/ml-connector/operations.md
  share/doc/ml-connector/config.md)
foreach(f ${expected})
  if(NOT EXISTS ${PREFIX}/${f})
    file(GLOB_RECURSE got RELATIVE ${PREFIX} ${PREFIX}/*)
    message(FATAL_ERROR "missing ${PREFIX}/${f}; installed:\n${got}")
  endif()
endforeach()
file(READ ${PREFIX}/share/ml-connector/systemd/ml-connector.service unit)
foreach(line "Type=simple" "User=ml-connector"
        "ExecStart=/usr/local/bin/ml-connector -c /etc/ml-connector/config.yaml run"
        "ExecReload=/bin/kill -HUP $MAINPID" "Restart=on-failure" "NoNewPrivileges=yes")
  string(FIND "${unit}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the installed unit lacks '${line}'")
  endif()
endforeach()
execute_process(COMMAND ${PREFIX}/bin/ml-connector --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "status")
  message(FATAL_ERROR "the installed ml-connector --help failed (${rc}) or lacks 'status':\n${out}")
endif()
message(STATUS "installed into ${PREFIX}: ${expected}")
